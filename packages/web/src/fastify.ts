import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { GetAccessTokenOptions } from './access-token.js';
import { createCookieExchange, type CookieExchange } from './cookies.js';
import type { WebAuth } from './create-web-auth.js';
import { InteractionRequiredError } from './errors.js';
import { callbackRoute, DEFAULT_PATHS, interactionRedirect, signInRedirect, signInRoute, signOutRoute, type RoutePaths, type RouteResult } from './routes.js';
import type { Session, User } from './session.js';

/**
 * What `request.oidc` offers in a route.
 *
 * @example
 * const token = await request.oidc!.getAccessToken({ scopes: ['api://weather/weather.read'] });
 */
export interface FastifyRequestAuth {
  readonly session: Session | undefined;
  /** An access token for a downstream API; call it before the reply is sent (it may rotate the session cookie). */
  getAccessToken(options: GetAccessTokenOptions): Promise<string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user, undefined when signed out (set by `fastifyWebAuth`). */
    user: User | undefined;
    oidc: FastifyRequestAuth | undefined;
  }
}

const exchanges = new WeakMap<FastifyRequest, CookieExchange>();

function exchangeOf(request: FastifyRequest, reply: FastifyReply): CookieExchange {
  let exchange = exchanges.get(request);
  if (!exchange) {
    // Fastify appends repeated set-cookie headers instead of replacing them.
    exchange = createCookieExchange(request.headers.cookie, (header) => { reply.header('set-cookie', header); });
    exchanges.set(request, exchange);
  }
  return exchange;
}

function send(reply: FastifyReply, result: RouteResult): FastifyReply {
  if ('location' in result) return reply.redirect(result.location, result.status);
  if (result.allow) reply.header('allow', result.allow);
  return reply.code(result.status).type('text/plain').send(result.body);
}

const currentUrl = (request: FastifyRequest) => new URL(request.url, `${request.protocol}://${request.host}`);

/**
 * Options of the Fastify plugin: the core and, optionally, other route paths.
 *
 * @example
 * await app.register(fastifyWebAuth, { auth, signIn: '/login' });
 */
export interface FastifyWebAuthOptions extends Partial<RoutePaths> {
  auth: WebAuth;
}

/**
 * Fastify plugin: `request.user` and `request.oidc` on every request, the routes `GET /signin`,
 * `GET <redirect URI path>` and `POST /signout`, and `InteractionRequiredError` answered with a
 * redirect to sign in with the new scopes (incremental consent). Registered without
 * encapsulation, so it applies to the whole app.
 *
 * @example
 * await app.register(fastifyWebAuth, { auth });
 * app.get('/profile', { preHandler: fastifyRequireUser() }, async (request) => request.user!.name);
 */
export async function fastifyWebAuth(app: FastifyInstance, options: FastifyWebAuthOptions): Promise<void> {
  const { auth } = options;
  const { signIn, signOut } = { ...DEFAULT_PATHS, ...options };
  app.decorateRequest('user', undefined);
  app.decorateRequest('oidc', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const exchange = exchangeOf(request, reply);
    const session = await auth.getSession(exchange);
    request.user = session?.user;
    request.oidc = { session, getAccessToken: (tokenOptions) => auth.getAccessToken(exchange, tokenOptions) };
  });
  app.get(signIn, async (request, reply) => send(reply, await signInRoute(auth, exchangeOf(request, reply), currentUrl(request).searchParams)));
  app.get(auth.callbackPath, async (request, reply) => send(reply, await callbackRoute(auth, exchangeOf(request, reply), currentUrl(request))));
  const signOutHandler = async (request: FastifyRequest, reply: FastifyReply) => send(reply, await signOutRoute(auth, exchangeOf(request, reply), {
    method: request.method, origin: request.headers.origin, fetchSite: header(request, 'sec-fetch-site'),
  }));
  app.post(signOut, signOutHandler);
  app.get(signOut, signOutHandler);

  const previous = app.errorHandler;
  app.setErrorHandler(function handleInteraction(error, request, reply) {
    if (error instanceof InteractionRequiredError && !reply.sent) {
      return reply.redirect(interactionRedirect(signIn, error, request.method === 'GET' ? request.url : '/'), 302);
    }
    return previous.call(this, error, request, reply);
  });
}
// Like fastify-plugin: share the decorators, hooks and routes with the app that registers it.
Object.assign(fastifyWebAuth, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: '@tessera/web' });

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * preHandler: lets signed-in users through; sends a browser without a session to sign in
 * (GET/HEAD) and answers 401 otherwise.
 *
 * @example
 * app.get('/forecast', { preHandler: fastifyRequireUser() }, handler);
 */
export function fastifyRequireUser(signInPath: string = DEFAULT_PATHS.signIn): preHandlerHookHandler {
  return (request, reply, done) => {
    if (request.user) return done();
    if (request.method === 'GET' || request.method === 'HEAD') {
      void reply.redirect(signInRedirect(signInPath, request.url), 302);
      return;
    }
    void reply.code(401).type('text/plain').send('Sign in first.');
  };
}
