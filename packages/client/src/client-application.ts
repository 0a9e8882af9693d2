import type { Account } from './account.js';
import { acquireTokenByDeviceCode, type DeviceCodeRequest } from './acquire-token-by-device-code.js';
import { acquireTokenForClient } from './acquire-token-for-client.js';
import { acquireTokenInteractive, type InteractiveRequest } from './acquire-token-interactive.js';
import { acquireTokenOnBehalfOf, type OnBehalfOfRequest } from './acquire-token-on-behalf-of.js';
import { acquireTokenSilent, type SilentRequest } from './acquire-token-silent.js';
import type { AuthenticationResult } from './authentication-result.js';
import { createClientContext } from './client-context.js';
import { realSleep, systemClock, type Clock, type Sleep } from './clock.js';
import type { ClientCredential } from './credential.js';
import type { TokenCache } from './token-cache.js';
import { cacheKeys, createMemoryCache } from './token-cache.js';
import type { RetryOptions } from './retry.js';
import type { TokenRequestOptions } from './request-options.js';

/**
 * Options of `createClientApplication`.
 *
 * @example
 * ```ts
 * import type { ClientApplicationOptions } from '@tessera/client';
 * const options: ClientApplicationOptions = {
 *   authority: 'https://id.example.com/demo',
 *   clientId: 'weather-daemon',
 *   credential: { clientSecret: process.env.CLIENT_SECRET! },
 * };
 * ```
 */
export interface ClientApplicationOptions {
  /** The issuer URL, exactly as in its discovery document (`{authority}/.well-known/openid-configuration`). */
  authority: string;
  clientId: string;
  /** Leave out for public clients (CLIs, desktop apps). */
  credential?: ClientCredential;
  /** Default: in memory. */
  cache?: TokenCache;
  /** Default `Date.now`. */
  clock?: Clock;
  /** Waits between retries and device-code polls. Default: a timer. */
  sleep?: Sleep;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  retry?: RetryOptions;
  /** Renew access tokens with less than this left. Default 5 minutes. */
  refreshBeforeExpiryMs?: number;
}

/**
 * An application that acquires tokens: the one object an app creates.
 *
 * @example
 * ```ts
 * import { createClientApplication } from '@tessera/client';
 * declare const app: import('@tessera/client').ClientApplication;
 * const { accessToken } = await app.acquireTokenForClient({ scopes: ['api://weather/.default'] });
 * ```
 */
export interface ClientApplication {
  /** Client credentials (RFC 6749 §4.4): the application's own token, cached. */
  acquireTokenForClient(request: TokenRequestOptions): Promise<AuthenticationResult>;
  /** From the cache, or by refresh token; `InteractionRequiredError` when the user must sign in. */
  acquireTokenSilent(request: SilentRequest): Promise<AuthenticationResult>;
  /** Browser sign-in on a loopback redirect with PKCE (RFC 8252). */
  acquireTokenInteractive(request: InteractiveRequest): Promise<AuthenticationResult>;
  /** Device authorization grant (RFC 8628). */
  acquireTokenByDeviceCode(request: DeviceCodeRequest): Promise<AuthenticationResult>;
  /** Token exchange for a downstream API as the calling user (RFC 8693). */
  acquireTokenOnBehalfOf(request: OnBehalfOfRequest): Promise<AuthenticationResult>;
  /** Forgets an account's refresh token (sign-out on this device). Its cached access tokens expire on their own. */
  removeAccount(account: Account): Promise<void>;
}

/**
 * Creates a client application for one provider and one registered client.
 *
 * @example
 * ```ts
 * import { createClientApplication } from '@tessera/client';
 * const app = createClientApplication({
 *   authority: 'https://id.example.com/demo',
 *   clientId: 'weather-cli',
 * });
 * const result = await app.acquireTokenInteractive({ scopes: ['api://weather/weather.read'] });
 * const again = await app.acquireTokenSilent({ account: result.account!, scopes: ['api://weather/weather.read'] });
 * ```
 */
export function createClientApplication(options: ClientApplicationOptions): ClientApplication {
  const context = createClientContext({
    authority: options.authority,
    clientId: options.clientId,
    credential: options.credential,
    cache: options.cache ?? createMemoryCache(),
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? realSleep,
    refreshBeforeExpiryMs: options.refreshBeforeExpiryMs ?? 5 * 60_000,
    fetch: options.fetch,
    retry: options.retry,
  });
  return {
    acquireTokenForClient: (request) => acquireTokenForClient(context, request),
    acquireTokenSilent: (request) => acquireTokenSilent(context, request),
    acquireTokenInteractive: (request) => acquireTokenInteractive(context, request),
    acquireTokenByDeviceCode: (request) => acquireTokenByDeviceCode(context, request),
    acquireTokenOnBehalfOf: (request) => acquireTokenOnBehalfOf(context, request),
    removeAccount: async (account) => { await context.cache.delete(cacheKeys.refreshToken(context.authority, context.clientId, account.homeAccountId)); },
  };
}
