import type { CookieExchange } from './cookies.js';
import type { Provider } from './provider.js';
import type { SessionCookie } from './session.js';

/**
 * Ends the local session (cookie and store entry) and returns where to send the browser:
 * the provider's `end_session_endpoint` with `id_token_hint`, `client_id` and
 * `post_logout_redirect_uri` (OpenID Connect RP-Initiated Logout 1.0 §2), so the provider's
 * session ends too; or `postLogoutRedirectUri` (else `/`) when the provider has no such endpoint
 * (GitHub-style providers, Auth0 without OIDC logout enabled).
 */
export async function signOut(
  deps: { provider: () => Promise<Provider>; sessions: SessionCookie; postLogoutRedirectUri: string | undefined },
  exchange: CookieExchange,
): Promise<URL | string> {
  const session = await deps.sessions.read(exchange);
  await deps.sessions.destroy(exchange);
  const { as, client } = await deps.provider();
  if (!as.end_session_endpoint) return deps.postLogoutRedirectUri ?? '/';
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set('client_id', client.client_id);
  if (session) url.searchParams.set('id_token_hint', session.idToken);
  if (deps.postLogoutRedirectUri) url.searchParams.set('post_logout_redirect_uri', deps.postLogoutRedirectUri);
  return url;
}
