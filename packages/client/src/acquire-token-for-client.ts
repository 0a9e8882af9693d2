import * as oauth from 'oauth4webapi';
import type { AuthenticationResult } from './authentication-result.js';
import type { ClientContext } from './client-context.js';
import type { TokenRequestOptions } from './request-options.js';
import { normalizeScopes } from './scopes.js';
import { APP_OWNER, findFreshToken, requestParameters, storeTokenResponse } from './token-response.js';

/**
 * The application's own token (client credentials, RFC 6749 §4.4), from the cache while more
 * than five minutes remain.
 */
export async function acquireTokenForClient(context: ClientContext, options: TokenRequestOptions): Promise<AuthenticationResult> {
  const scopes = normalizeScopes(options.scopes);
  const owner = ownerKey(options);
  if (!options.forceRefresh) {
    const cached = await findFreshToken(context, owner, scopes);
    if (cached) return cached;
  }
  const response = await context.run(async (as, auth) => oauth.processClientCredentialsResponse(as, context.client,
    await oauth.clientCredentialsGrantRequest(as, context.client, auth, requestParameters(scopes.join(' '), options), context.http)));
  return storeTokenResponse(context, response, { scopes, ownerKey: owner });
}

/** Tokens for different `resource`/`audience` values are different tokens. */
function ownerKey(options: TokenRequestOptions): string {
  const extra = JSON.stringify([[options.resource ?? []].flat(), Object.entries(options.extraParameters ?? {}).sort()]);
  return extra === '[[],[]]' ? APP_OWNER : `${APP_OWNER}:${extra}`;
}
