import * as oauth from 'oauth4webapi';
import type { AuthenticationResult } from './authentication-result.js';
import type { ClientContext } from './client-context.js';
import { OAuthError } from './errors.js';
import type { TokenRequestOptions } from './request-options.js';
import { normalizeScopes, signInScope } from './scopes.js';
import { requestParameters, storeTokenResponse } from './token-response.js';

/**
 * What to show the user: "go to `verificationUri` and enter `userCode`" (RFC 8628 §3.3).
 *
 * @example
 * ```ts
 * import type { DeviceCodeInfo } from '@tessera/client';
 * const show = (info: DeviceCodeInfo) => console.log(info.message);
 * ```
 */
export interface DeviceCodeInfo {
  userCode: string;
  verificationUri: string;
  /** The URI with the code in it, for a QR code (optional in RFC 8628 §3.2). */
  verificationUriComplete?: string;
  /** Seconds until the code expires. */
  expiresIn: number;
  /** A sentence to print as it is. */
  message: string;
}

/**
 * Options of `acquireTokenByDeviceCode`.
 *
 * @example
 * ```ts
 * import type { DeviceCodeRequest } from '@tessera/client';
 * const request: DeviceCodeRequest = { scopes: ['api://weather/weather.read'], onCode: (info) => console.log(info.message) };
 * ```
 */
export interface DeviceCodeRequest extends Omit<TokenRequestOptions, 'forceRefresh'> {
  /** Shows the code. If it returns a promise, polling starts once it settles. */
  onCode: (info: DeviceCodeInfo) => void | Promise<void>;
  signal?: AbortSignal;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * Signs a user in on a device without a browser (RFC 8628): shows a code, then polls the token
 * endpoint every `interval` seconds (default 5, §3.2), 5 seconds slower after each `slow_down`
 * (§3.5), until the user approves, denies (`access_denied`) or the code expires (`expired_token`).
 */
export async function acquireTokenByDeviceCode(context: ClientContext, request: DeviceCodeRequest): Promise<AuthenticationResult> {
  const scopes = normalizeScopes(request.scopes);
  const started = await context.run(async (as, auth) => oauth.processDeviceAuthorizationResponse(as, context.client,
    await oauth.deviceAuthorizationRequest(as, context.client, auth, requestParameters(signInScope(scopes), request), context.http)));
  const expiresAt = context.clock() + started.expires_in * 1000;
  await request.onCode({
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    ...(started.verification_uri_complete ? { verificationUriComplete: started.verification_uri_complete } : {}),
    expiresIn: started.expires_in,
    message: `To sign in, open ${started.verification_uri} and enter the code ${started.user_code}.`,
  });
  let intervalMs = (started.interval ?? 5) * 1000;
  for (;;) {
    await context.sleep(intervalMs);
    if (request.signal?.aborted) throw new OAuthError('access_denied', 'Sign-in was cancelled on this device.', 0, { cause: request.signal.reason });
    if (context.clock() >= expiresAt) throw new OAuthError('expired_token', 'The device code expired before the user signed in.', 0);
    try {
      const response = await context.run(async (as, auth) => oauth.processGenericTokenEndpointResponse(as, context.client,
        await oauth.genericTokenEndpointRequest(as, context.client, auth, DEVICE_GRANT, { device_code: started.device_code }, context.http)));
      return await storeTokenResponse(context, response, { scopes });
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      if (error.error === 'authorization_pending') continue;
      if (error.error === 'slow_down') { intervalMs += 5000; continue; }
      throw error;
    }
  }
}
