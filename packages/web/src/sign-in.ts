import * as oauth from 'oauth4webapi';
import type { CookieExchange } from './cookies.js';
import type { Provider } from './provider.js';
import { safeReturnTo } from './return-to.js';
import { splitScopes } from './scopes.js';
import type { TransactionCookie } from './transaction.js';

/**
 * Options of one sign-in.
 *
 * @example
 * const url = await auth.signIn(exchange, { returnTo: '/reports', parameters: { prompt: 'login' } });
 */
export interface SignInOptions {
  /** Scopes to ask for; default the configured sign-in scopes. */
  scopes?: readonly string[];
  /** Same-origin path to come back to after the callback; anything else becomes `/`. */
  returnTo?: string;
  /** Extra authorization request parameters, e.g. `{ prompt: 'login' }` or Auth0's `audience`. */
  parameters?: Record<string, string>;
}

/**
 * Starts an authorization code flow with PKCE S256, state and nonce: stores them in the
 * transaction cookie and returns the provider's authorization URL to redirect the browser to.
 */
export async function startSignIn(
  deps: { provider: () => Promise<Provider>; transactions: TransactionCookie; redirectUri: string; parameters: Record<string, string> },
  exchange: CookieExchange,
  scopes: readonly string[],
  options: SignInOptions,
): Promise<URL> {
  const { as, client } = await deps.provider();
  if (!as.authorization_endpoint) throw new Error('the provider has no authorization_endpoint');
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const scope = splitScopes(scopes);
  await deps.transactions.write(exchange, { state, nonce, codeVerifier, scopes: scope, returnTo: safeReturnTo(options.returnTo) });

  const url = new URL(as.authorization_endpoint);
  const params = {
    ...deps.parameters,
    ...options.parameters,
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: deps.redirectUri,
    scope: scope.join(' '),
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}
