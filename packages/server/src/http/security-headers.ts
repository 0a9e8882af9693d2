// Every response, oidc-provider's included, gets @fastify/helmet's headers: helmet sets them
// on the raw response in an onRequest hook, before a protocol route hands the request over.

/** Content-Security-Policy for our server-rendered pages: no inline script or style. */
export const PAGE_CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  scriptSrc: ["'self'"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  // No form-action: browsers apply it to the redirect chain after a form post, which
  // would block the final redirect to the application.
  formAction: null,
  upgradeInsecureRequests: null,
};
