import { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GetAccessTokenOptions } from './access-token.js';
import { createCookieExchange, type CookieExchange } from './cookies.js';
import type { WebAuth } from './create-web-auth.js';
import { InteractionRequiredError } from './errors.js';
import { callbackRoute, DEFAULT_PATHS, interactionRedirect, signInRedirect, signInRoute, signOutRoute, type RoutePaths, type RouteResult } from './routes.js';
import type { Session, User } from './session.js';

/**
 * What `req.oidc` offers in a route.
 *
 * @example
 * const token = await req.oidc!.getAccessToken({ scopes: ['api://weather/weather.read'] });
 */
export interface RequestAuth {
  readonly session: Session | undefined;
  /** An access token for a downstream API; call it before the response is sent (it may rotate the session cookie). */
  getAccessToken(options: GetAccessTokenOptions): Promise<string>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user, undefined when signed out (set by `expressWebAuth`). */
      user?: User;
      oidc?: RequestAuth;
    }
  }
}

const exchanges = new WeakMap<Request, CookieExchange>();

function exchangeOf(req: Request, res: Response): CookieExchange {
  let exchange = exchanges.get(req);
  if (!exchange) {
    exchange = createCookieExchange(req.headers.cookie, (header) => res.append('Set-Cookie', header));
    exchanges.set(req, exchange);
  }
  return exchange;
}

function send(res: Response, result: RouteResult): void {
  if ('location' in result) {
    res.redirect(result.status, result.location);
    return;
  }
  if (result.allow) res.set('Allow', result.allow);
  res.status(result.status).type('text/plain').send(result.body);
}

const currentUrl = (req: Request) => new URL(req.originalUrl, `${req.protocol}://${req.get('host') ?? 'localhost'}`);

/**
 * Express middleware: loads the session into `req.user` and `req.oidc`, and serves
 * `GET /signin`, `GET <redirect URI path>` and `POST /signout`. Mount it at the app's root,
 * before your routes; add `expressInteractionHandler()` after them.
 *
 * @example
 * app.use(expressWebAuth(auth));
 * app.get('/forecast', requireUser(), async (req, res) => {
 *   const token = await req.oidc!.getAccessToken({ scopes: ['api://weather/weather.read'] });
 *   res.json(await (await fetch(api, { headers: { authorization: `Bearer ${token}` } })).json());
 * });
 * app.use(expressInteractionHandler());
 */
export function expressWebAuth(auth: WebAuth, paths: Partial<RoutePaths> = {}): Router {
  const { signIn, signOut } = { ...DEFAULT_PATHS, ...paths };
  const router = Router();
  router.use(async (req, res, next) => {
    const exchange = exchangeOf(req, res);
    const session = await auth.getSession(exchange);
    req.user = session?.user;
    req.oidc = { session, getAccessToken: (options) => auth.getAccessToken(exchange, options) };
    res.locals.tesseraSignInPath = signIn;
    next();
  });
  router.get(signIn, async (req, res) => send(res, await signInRoute(auth, exchangeOf(req, res), currentUrl(req).searchParams)));
  router.get(auth.callbackPath, async (req, res) => send(res, await callbackRoute(auth, exchangeOf(req, res), currentUrl(req))));
  router.all(signOut, async (req, res) => send(res, await signOutRoute(auth, exchangeOf(req, res), {
    method: req.method, origin: req.get('origin'), fetchSite: req.get('sec-fetch-site'),
  })));
  return router;
}

/**
 * Route middleware: lets signed-in users through; sends a browser without a session to sign in
 * (GET/HEAD) and answers 401 otherwise.
 *
 * @example
 * app.get('/profile', requireUser(), (req, res) => res.send(req.user!.name));
 */
export function requireUser(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.user) return next();
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(302, signInRedirect(String(res.locals.tesseraSignInPath ?? DEFAULT_PATHS.signIn), req.originalUrl));
      return;
    }
    res.status(401).type('text/plain').send('Sign in first.');
  };
}

/**
 * Error middleware: turns `InteractionRequiredError` from `req.oidc.getAccessToken` into a
 * redirect to sign in with the new scopes and back (incremental consent); passes other errors on.
 *
 * @example
 * app.use(expressInteractionHandler());
 */
export function expressInteractionHandler(): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof InteractionRequiredError) || res.headersSent) return next(error);
    const signInPath = String(res.locals.tesseraSignInPath ?? DEFAULT_PATHS.signIn);
    res.redirect(302, interactionRedirect(signInPath, error, req.method === 'GET' ? req.originalUrl : '/'));
  };
}
