import * as oauth from 'oauth4webapi';
import type { CookieExchange } from './cookies.js';
import { InteractionRequiredError, NotSignedInError } from './errors.js';
import type { Provider } from './provider.js';
import { scopeKey, splitScopes } from './scopes.js';
import type { SessionCookie } from './session.js';
import { storedToken } from './callback.js';

/**
 * What `getAccessToken` is asked for.
 *
 * @example
 * await req.oidc!.getAccessToken({ scopes: ['api://weather/weather.read'] });
 */
export interface GetAccessTokenOptions {
  /** The scopes the downstream API needs, e.g. `['api://weather/weather.read']`. */
  scopes: readonly string[];
  /** Extra token request parameters, e.g. `{ resource: 'https://api.example.com' }` (RFC 8707). */
  parameters?: Record<string, string>;
}

/** A cached token is used only while it has more than this left, so it does not expire in flight. */
export const MIN_TOKEN_LIFETIME_MS = 5 * 60 * 1000;

/**
 * refresh token errors that mean "the user must come back": the grant is gone or does not cover
 * the scopes (RFC 6749 §5.2 `invalid_grant`, `invalid_scope`; RFC 8707 §2 `invalid_target`;
 * OIDC Core §3.1.2.6 `interaction_required`, `consent_required`, `login_required`).
 */
const NEEDS_USER = new Set(['invalid_grant', 'invalid_scope', 'invalid_target', 'interaction_required', 'consent_required', 'login_required']);

/**
 * An access token for `scopes`: the cached one while it has more than five minutes left, else
 * a refresh asking for exactly those scopes (RFC 6749 §6 lets a refresh narrow the scope; the
 * rotated refresh token is stored). Throws `InteractionRequiredError` when only the user can
 * help (scopes never consented, refresh token revoked) and `NotSignedInError` without a session.
 */
export async function getAccessToken(
  deps: { provider: () => Promise<Provider>; sessions: SessionCookie; clock: () => number },
  exchange: CookieExchange,
  options: GetAccessTokenOptions,
): Promise<string> {
  const session = await deps.sessions.read(exchange);
  if (!session) throw new NotSignedInError();
  const wanted = splitScopes(options.scopes);
  const key = scopeKey(wanted);
  const cached = session.tokens[key];
  if (cached && cached.expiresAt - deps.clock() > MIN_TOKEN_LIFETIME_MS) return cached.accessToken;
  if (!session.refreshToken) throw new InteractionRequiredError(wanted, 'no refresh token in the session (ask for offline_access)');

  const { as, client, auth, requestOptions } = await deps.provider();
  let result: oauth.TokenEndpointResponse;
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, session.refreshToken, {
      ...requestOptions(),
      additionalParameters: { ...options.parameters, ...(key ? { scope: key } : {}) },
    });
    result = await oauth.processRefreshTokenResponse(as, client, response);
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError && NEEDS_USER.has(error.error)) {
      throw new InteractionRequiredError(wanted, `the provider answered ${error.error}`, { cause: error });
    }
    throw error;
  }
  const now = deps.clock();
  await deps.sessions.write(exchange, {
    ...session,
    ...(result.refresh_token ? { refreshToken: result.refresh_token } : {}),
    tokens: { ...dropExpired(session.tokens, now), [key]: storedToken(result, now) },
    lastSeenAt: now,
  });
  return result.access_token;
}

function dropExpired<T extends { expiresAt: number }>(tokens: Record<string, T>, now: number): Record<string, T> {
  return Object.fromEntries(Object.entries(tokens).filter(([, token]) => token.expiresAt > now));
}
