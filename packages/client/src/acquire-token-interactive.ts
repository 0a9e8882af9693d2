import * as oauth from 'oauth4webapi';
import type { AuthenticationResult } from './authentication-result.js';
import type { ClientContext } from './client-context.js';
import { toClientError } from './client-context.js';
import { ClientError } from './errors.js';
import { startLoopbackServer } from './loopback-server.js';
import { openSystemBrowser } from './open-browser.js';
import type { TokenRequestOptions } from './request-options.js';
import { normalizeScopes, signInScope } from './scopes.js';
import { requestParameters, storeTokenResponse } from './token-response.js';

/**
 * Options of `acquireTokenInteractive`.
 *
 * @example
 * ```ts
 * import type { InteractiveRequest } from '@tessera/client';
 * const request: InteractiveRequest = {
 *   scopes: ['api://weather/weather.read'],
 *   openBrowser: async (url) => { console.log(`Open ${url} to sign in`); },
 * };
 * ```
 */
export interface InteractiveRequest extends Omit<TokenRequestOptions, 'forceRefresh'> {
  /** Shows the sign-in page; default: the system browser (`openSystemBrowser`). */
  openBrowser?: (url: string) => Promise<void>;
  /** Registered loopback redirect URI; the port is replaced by the one listened on. Default `http://127.0.0.1/callback`. */
  redirectUri?: string;
  /** Default 0: any free port (the provider must allow any port for loopback, RFC 8252 §7.3). */
  port?: number;
  /** Give up after this long without a response. Default 5 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** `prompt` (OIDC Core §3.1.2.1), e.g. `select_account` or `login`. */
  prompt?: string;
  loginHint?: string;
}

/**
 * Signs a user in through the browser: authorization code with PKCE S256 (RFC 7636), `state`
 * and `nonce`, on a loopback redirect (RFC 8252 §7.3). The ID token is validated by oauth4webapi.
 */
export async function acquireTokenInteractive(context: ClientContext, request: InteractiveRequest): Promise<AuthenticationResult> {
  const as = await context.metadata();
  if (!as.authorization_endpoint) throw new ClientError('ERR_CLIENT_PROTOCOL', 'The provider has no authorization endpoint.');
  const redirect = new URL(request.redirectUri ?? 'http://127.0.0.1/callback');
  if (request.port !== undefined) redirect.port = String(request.port);
  const loopback = await startLoopbackServer(redirect.href, request.timeoutMs ?? 5 * 60_000, request.signal);
  try {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(as.authorization_endpoint);
    const scopes = normalizeScopes(request.scopes);
    for (const [name, value] of requestParameters(signInScope(scopes), request)) url.searchParams.append(name, value);
    url.searchParams.set('client_id', context.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', loopback.redirectUri);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    url.searchParams.set('nonce', nonce);
    if (request.prompt) url.searchParams.set('prompt', request.prompt);
    if (request.loginHint) url.searchParams.set('login_hint', request.loginHint);
    await (request.openBrowser ?? openSystemBrowser)(url.href);
    const callback = await loopback.callback;
    let parameters: URLSearchParams;
    try {
      // Checks state (RFC 6749 §10.12) and `iss` when the provider sends it (RFC 9207).
      parameters = oauth.validateAuthResponse(as, context.client, callback, state);
    } catch (error) {
      throw toClientError(error);
    }
    const response = await context.run(async (server, auth) => oauth.processAuthorizationCodeResponse(server, context.client,
      await oauth.authorizationCodeGrantRequest(server, context.client, auth, parameters, loopback.redirectUri, verifier, context.http),
      { expectedNonce: nonce, requireIdToken: true }));
    return await storeTokenResponse(context, response, { scopes });
  } finally {
    loopback.close();
  }
}
