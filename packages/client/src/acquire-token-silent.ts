import * as oauth from 'oauth4webapi';
import type { Account } from './account.js';
import type { AuthenticationResult } from './authentication-result.js';
import type { ClientContext } from './client-context.js';
import { InteractionRequiredError, isInteractionRequired, OAuthError } from './errors.js';
import type { TokenRequestOptions } from './request-options.js';
import { normalizeScopes, signInScope } from './scopes.js';
import { cacheKeys } from './token-cache.js';
import { findFreshToken, requestParameters, storeTokenResponse } from './token-response.js';

/**
 * Options of `acquireTokenSilent`.
 *
 * @example
 * ```ts
 * import type { SilentRequest } from '@tessera/client';
 * declare const account: import('@tessera/client').Account;
 * const request: SilentRequest = { account, scopes: ['api://weather/weather.read'] };
 * ```
 */
export interface SilentRequest extends TokenRequestOptions {
  account: Account;
}

/**
 * A user's token from the cache, or from the refresh token (RFC 6749 §6) when less than the
 * refresh margin remains. The server rotates refresh tokens; the new one replaces the old in the
 * cache before this returns, and concurrent calls share one refresh so a rotated token is never
 * presented twice (which a server with reuse detection, RFC 9700 §4.14.2, treats as theft).
 */
export async function acquireTokenSilent(context: ClientContext, request: SilentRequest): Promise<AuthenticationResult> {
  const scopes = normalizeScopes(request.scopes);
  const owner = request.account.homeAccountId;
  if (!request.forceRefresh) {
    const cached = await findFreshToken(context, owner, scopes);
    if (cached) return cached;
  }
  const key = cacheKeys.refreshToken(context.authority, context.clientId, owner);
  const flightKey = `${key}|${scopes.join(' ')}`;
  let flight = context.inFlight.get(flightKey) as Promise<AuthenticationResult> | undefined;
  if (!flight) {
    flight = refresh(context, key, request, scopes).finally(() => context.inFlight.delete(flightKey));
    context.inFlight.set(flightKey, flight);
  }
  return flight;
}

async function refresh(context: ClientContext, key: string, request: SilentRequest, scopes: string[]): Promise<AuthenticationResult> {
  const entry = await context.cache.get(key);
  if (entry?.kind !== 'refresh_token') {
    throw new InteractionRequiredError('no_tokens_found', 'No refresh token is cached for this account; sign in interactively.');
  }
  try {
    const response = await context.run(async (as, auth) => oauth.processRefreshTokenResponse(as, context.client,
      await oauth.refreshTokenGrantRequest(as, context.client, auth, entry.refreshToken, {
        ...context.http, additionalParameters: requestParameters(signInScope(scopes), request),
      })));
    return await storeTokenResponse(context, response, { scopes, account: entry.account });
  } catch (error) {
    if (error instanceof OAuthError && isInteractionRequired(error.error)) {
      // The refresh token is dead (expired, revoked, or the grant was revoked): forget it.
      await context.cache.delete(key);
      throw new InteractionRequiredError(error.error, error.errorDescription, error.status, { cause: error });
    }
    throw error;
  }
}
