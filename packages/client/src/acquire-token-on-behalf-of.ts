import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import type { AuthenticationResult } from './authentication-result.js';
import type { ClientContext } from './client-context.js';
import type { TokenRequestOptions } from './request-options.js';
import { normalizeScopes } from './scopes.js';
import { findFreshToken, requestParameters, storeTokenResponse } from './token-response.js';

/**
 * Options of `acquireTokenOnBehalfOf`.
 *
 * @example
 * ```ts
 * import type { OnBehalfOfRequest } from '@tessera/client';
 * declare const incomingToken: string;
 * const request: OnBehalfOfRequest = { userAssertion: incomingToken, scopes: ['api://reports/.default'] };
 * ```
 */
export interface OnBehalfOfRequest extends TokenRequestOptions {
  /** The user's access token this API received (for this API's own audience). */
  userAssertion: string;
  /**
   * `token-exchange` (default): RFC 8693 with `subject_token_type` access_token.
   * `jwt-bearer`: Entra ID's on-behalf-of (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
   * `requested_token_use=on_behalf_of`), which Entra ID requires and Tessera also accepts.
   */
  grant?: 'token-exchange' | 'jwt-bearer';
  /** RFC 8693 §2.1 `audience`, for providers that name the downstream API that way. */
  audience?: string;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * A middle-tier API's token for a downstream API, as the user whose token it received. Cached
 * per incoming token (by its SHA-256, never the token itself as key) and scope set.
 */
export async function acquireTokenOnBehalfOf(context: ClientContext, request: OnBehalfOfRequest): Promise<AuthenticationResult> {
  const scopes = normalizeScopes(request.scopes);
  const owner = `obo:${createHash('sha256').update(request.userAssertion).digest('base64url')}:${request.grant ?? 'token-exchange'}:${request.audience ?? ''}:${[request.resource ?? []].flat().join(' ')}`;
  if (!request.forceRefresh) {
    const cached = await findFreshToken(context, owner, scopes);
    if (cached) return cached;
  }
  const parameters = requestParameters(scopes.join(' '), request);
  let grantType = TOKEN_EXCHANGE;
  if (request.grant === 'jwt-bearer') {
    grantType = JWT_BEARER;
    parameters.set('assertion', request.userAssertion);
    parameters.set('requested_token_use', 'on_behalf_of');
  } else {
    parameters.set('subject_token', request.userAssertion);
    parameters.set('subject_token_type', ACCESS_TOKEN_TYPE);
    if (request.audience) parameters.set('audience', request.audience);
  }
  const response = await context.run(async (as, auth) => oauth.processGenericTokenEndpointResponse(as, context.client,
    await oauth.genericTokenEndpointRequest(as, context.client, auth, grantType, parameters, context.http)));
  return storeTokenResponse(context, response, { scopes, ownerKey: owner });
}
