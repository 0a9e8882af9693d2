import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/** Content-Security-Policy for every response: no inline script or style (OWASP Secure Headers). */
const CSP_DIRECTIVES = {
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

/**
 * The security headers helmet would set (ASVS 14.4), computed once: they do not depend on the
 * request, and setting a fixed list costs a fraction of running helmet per request — which
 * matters on the token path. Applied to every response, oidc-provider's included.
 */
export function computeSecurityHeaders(options: { https: boolean }): [string, string][] {
  const headers: [string, string][] = [];
  const capture = {
    setHeader(name: string, value: string | number | readonly string[]) { headers.push([name, String(value)]); return capture; },
    removeHeader() {},
    getHeader() { return undefined; },
  } as unknown as ServerResponse;
  helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  })({} as IncomingMessage, capture, () => {});
  return headers;
}
