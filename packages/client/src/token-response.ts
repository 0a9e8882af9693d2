import * as oauth from 'oauth4webapi';
import { accountFromClaims, type Account } from './account.js';
import type { AuthenticationResult } from './authentication-result.js';
import type { ClientContext } from './client-context.js';
import { normalizeScopes } from './scopes.js';
import { cacheKeys, type AccessTokenEntry } from './token-cache.js';

/** `expires_in` is RECOMMENDED, not required (RFC 6749 §5.1): assume an hour without it. */
const DEFAULT_LIFETIME_SECONDS = 3600;

/** The cache key owner of a user's tokens, or of the application's own. */
export const APP_OWNER = 'app';

/**
 * Turns a token response into a result and stores it: the access token under its scopes, the
 * (possibly rotated) refresh token under its account — written before the result is returned,
 * so a crash cannot leave the consumed one as the only copy.
 */
export async function storeTokenResponse(
  context: ClientContext,
  response: oauth.TokenEndpointResponse,
  request: { scopes: readonly string[]; account?: Account | undefined; ownerKey?: string },
): Promise<AuthenticationResult> {
  const claims = oauth.getValidatedIdTokenClaims(response);
  const account = claims ? accountFromClaims(claims) : request.account;
  const scopes = normalizeScopes(request.scopes);
  const entry: AccessTokenEntry = {
    kind: 'access_token',
    accessToken: response.access_token,
    tokenType: response.token_type,
    expiresAt: context.clock() + (response.expires_in ?? DEFAULT_LIFETIME_SECONDS) * 1000,
    scopes: response.scope ? normalizeScopes(response.scope.split(' ')) : scopes,
    ...(response.id_token ? { idToken: response.id_token } : {}),
    ...(account ? { account } : {}),
  };
  const owner = request.ownerKey ?? account?.homeAccountId ?? APP_OWNER;
  await context.cache.set(cacheKeys.accessToken(context.authority, context.clientId, owner, scopes), entry);
  if (response.refresh_token && account) {
    await context.cache.set(cacheKeys.refreshToken(context.authority, context.clientId, account.homeAccountId), {
      kind: 'refresh_token', refreshToken: response.refresh_token, account,
    });
  }
  return toResult(entry, false, claims ? { ...claims } : undefined);
}

/** A cached access token that still has more than the refresh margin left, or undefined. */
export async function findFreshToken(context: ClientContext, owner: string, scopes: readonly string[]): Promise<AuthenticationResult | undefined> {
  const entry = await context.cache.get(cacheKeys.accessToken(context.authority, context.clientId, owner, normalizeScopes(scopes)));
  if (entry?.kind !== 'access_token') return undefined;
  if (entry.expiresAt - context.clock() < context.refreshBeforeExpiryMs) return undefined;
  return toResult(entry, true);
}

function toResult(entry: AccessTokenEntry, fromCache: boolean, idTokenClaims?: Record<string, unknown>): AuthenticationResult {
  return {
    accessToken: entry.accessToken,
    tokenType: entry.tokenType,
    expiresOn: new Date(entry.expiresAt),
    scopes: entry.scopes,
    fromCache,
    ...(entry.idToken ? { idToken: entry.idToken } : {}),
    ...(idTokenClaims ? { idTokenClaims } : {}),
    ...(entry.account ? { account: entry.account } : {}),
  };
}

/** `scope`, `resource` (RFC 8707) and the caller's extra parameters, as token request fields. */
export function requestParameters(scope: string, options: { resource?: string | string[] | undefined; extraParameters?: Record<string, string> | undefined }): URLSearchParams {
  const parameters = new URLSearchParams(options.extraParameters);
  if (scope) parameters.set('scope', scope);
  for (const resource of [options.resource ?? []].flat()) parameters.append('resource', resource);
  return parameters;
}
