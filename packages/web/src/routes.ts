import type { CookieExchange } from './cookies.js';
import type { WebAuth } from './create-web-auth.js';
import { CallbackError, InteractionRequiredError } from './errors.js';
import { safeReturnTo } from './return-to.js';
import { splitScopes } from './scopes.js';

/**
 * The routes as framework-neutral steps: each returns what to answer, and the Express and
 * Fastify adapters only translate. One behaviour, tested once per adapter by a shared suite.
 */
/**
 * What a route answers; an adapter turns it into its framework's response.
 *
 * @example
 * const result = await signInRoute(auth, exchange, url.searchParams);
 * if ('location' in result) reply.redirect(result.location, result.status);
 */
export type RouteResult = { status: 302 | 303; location: string } | { status: 400 | 403 | 405; body: string; allow?: string };

/**
 * Where the sign-in and sign-out routes live (the callback's path comes from `redirectUri`).
 *
 * @example
 * app.use(expressWebAuth(auth, { signIn: '/account/signin', signOut: '/account/signout' }));
 */
export interface RoutePaths {
  signIn: string;
  signOut: string;
}

export const DEFAULT_PATHS: RoutePaths = { signIn: '/signin', signOut: '/signout' };

/**
 * `GET /signin?returnTo=/path&scopes=a%20b`: redirects to the provider.
 *
 * @example
 * const result = await signInRoute(auth, exchange, new URL(req.url, origin).searchParams); // { status: 302, location }
 */
export async function signInRoute(auth: WebAuth, exchange: CookieExchange, query: URLSearchParams): Promise<RouteResult> {
  const wanted = splitScopes(query.get('scopes') ?? '');
  const scopes = wanted.length ? auth.scopesFor(wanted, await auth.getSession(exchange)) : auth.scopes;
  const url = await auth.signIn(exchange, { scopes, returnTo: safeReturnTo(query.get('returnTo')) });
  return { status: 302, location: url.href };
}

/**
 * `GET /signin-oidc?code=…&state=…`: 302 to the return path, or 400 for any refused callback.
 *
 * @example
 * const result = await callbackRoute(auth, exchange, new URL(req.url, origin));
 */
export async function callbackRoute(auth: WebAuth, exchange: CookieExchange, currentUrl: URL): Promise<RouteResult> {
  try {
    return { status: 302, location: await auth.handleCallback(exchange, currentUrl) };
  } catch (error) {
    if (!(error instanceof CallbackError)) throw error;
    // No details to the browser: they would help an attacker more than the user.
    const text = error.providerError === 'access_denied' ? 'Sign-in was cancelled.' : 'Sign-in failed. Please try again.';
    return { status: 400, body: text };
  }
}

/**
 * `POST /signout`. Only POST: a GET sign-out can be triggered by any page with an `<img>` (logout
 * CSRF). The POST must come from this application's own origin (OWASP CSRF Prevention Cheat Sheet:
 * verifying origin with standard headers; `Sec-Fetch-Site`, Fetch Metadata); SameSite=Lax already
 * keeps the session cookie off cross-site POSTs.
 *
 * @example
 * const result = await signOutRoute(auth, exchange, { method: req.method, origin: req.headers.origin });
 */
export async function signOutRoute(
  auth: WebAuth, exchange: CookieExchange, request: { method: string; origin?: string | undefined; fetchSite?: string | undefined },
): Promise<RouteResult> {
  if (request.method !== 'POST') return { status: 405, body: 'Sign out with POST.', allow: 'POST' };
  const appOrigin = new URL(auth.redirectUri).origin;
  if ((request.origin && request.origin !== appOrigin) || (request.fetchSite && !['same-origin', 'none'].includes(request.fetchSite))) {
    return { status: 403, body: 'Cross-site sign-out refused.' };
  }
  const target = await auth.signOut(exchange);
  return { status: 303, location: typeof target === 'string' ? target : target.href };
}

/**
 * Where to send the browser for an `InteractionRequiredError`: the sign-in route with the
 * missing scopes and the page to come back to (incremental consent).
 *
 * @example
 * interactionRedirect('/signin', error, '/forecast'); // '/signin?scopes=api%3A%2F%2Fweather%2Fweather.write&returnTo=%2Fforecast'
 */
export function interactionRedirect(signInPath: string, error: InteractionRequiredError, returnTo: string): string {
  const query = new URLSearchParams({ scopes: error.scopes.join(' '), returnTo: safeReturnTo(returnTo) });
  return `${signInPath}?${query.toString()}`;
}

/**
 * Where `requireUser` sends a browser without a session.
 *
 * @example
 * signInRedirect('/signin', '/reports'); // '/signin?returnTo=%2Freports'
 */
export function signInRedirect(signInPath: string, returnTo: string): string {
  return `${signInPath}?${new URLSearchParams({ returnTo: safeReturnTo(returnTo) }).toString()}`;
}
