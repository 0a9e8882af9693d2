import * as oauth from 'oauth4webapi';
import type { CookieExchange } from './cookies.js';
import { CallbackError } from './errors.js';
import type { Provider } from './provider.js';
import { scopeKey, splitScopes } from './scopes.js';
import type { Session, SessionCookie, StoredToken, User } from './session.js';
import type { TransactionCookie } from './transaction.js';

export interface CallbackDeps {
  provider: () => Promise<Provider>;
  transactions: TransactionCookie;
  sessions: SessionCookie;
  redirectUri: string;
  clock: () => number;
}

/**
 * Finishes a sign-in at the redirect URI: the transaction must exist and its state match
 * (RFC 6749 §10.12), the code is redeemed with the PKCE verifier, and the ID token validated
 * (signature, `iss`, `aud`, `exp`, `iat`, `nonce`: OIDC Core §3.1.3.7). The transaction cookie
 * is cleared first, whatever happens, so a callback can never be replayed. Returns the
 * `returnTo` path. Throws `CallbackError` (HTTP 400) otherwise; no session is written then.
 */
export async function finishSignIn(deps: CallbackDeps, exchange: CookieExchange, currentUrl: URL): Promise<string> {
  const tx = await deps.transactions.read(exchange);
  deps.transactions.clear(exchange);
  if (!tx) throw new CallbackError('no sign-in in progress in this browser (missing or expired transaction cookie)');
  const { as, client, auth, requestOptions } = await deps.provider();

  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, currentUrl, tx.state);
  } catch (error) {
    const providerError = error instanceof oauth.AuthorizationResponseError ? error.error : undefined;
    throw new CallbackError(providerError ? `the provider answered ${providerError}` : 'invalid authorization response (state mismatch?)',
      { cause: error, ...(providerError ? { providerError } : {}) });
  }

  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, deps.redirectUri, tx.codeVerifier, requestOptions());
    result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: tx.nonce, requireIdToken: true });
  } catch (error) {
    const providerError = error instanceof oauth.ResponseBodyError ? error.error : undefined;
    throw new CallbackError('the code could not be redeemed or the ID token is invalid', { cause: error, ...(providerError ? { providerError } : {}) });
  }

  const claims = oauth.getValidatedIdTokenClaims(result) as unknown as User;
  const previous = await deps.sessions.read(exchange);
  const now = deps.clock();
  // The same user signing in again (incremental consent) keeps the other tokens; anyone else starts afresh.
  const sameUser = previous && previous.user.sub === claims.sub && previous.user.iss === claims.iss;
  const session: Session = {
    user: claims,
    idToken: result.id_token!,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : sameUser && previous.refreshToken ? { refreshToken: previous.refreshToken } : {}),
    grantedScopes: splitScopes([...(result.refresh_token || !sameUser ? [] : previous.grantedScopes), ...tx.scopes]),
    tokens: { ...(sameUser ? previous.tokens : {}), [scopeKey(tx.scopes)]: storedToken(result, now) },
    createdAt: sameUser ? previous.createdAt : now,
    lastSeenAt: now,
  };
  await deps.sessions.write(exchange, session, { rotate: !sameUser });
  return tx.returnTo;
}

/** RFC 6749 §5.1: `expires_in` is optional; without it, assume an hour. */
export function storedToken(result: oauth.TokenEndpointResponse, now: number): StoredToken {
  return {
    accessToken: result.access_token,
    expiresAt: now + (result.expires_in ?? 3600) * 1000,
    ...(result.scope ? { scope: result.scope } : {}),
  };
}
