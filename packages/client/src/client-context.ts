import * as oauth from 'oauth4webapi';
import type { Clock, Sleep } from './clock.js';
import type { ClientCredential } from './credential.js';
import { createClientAuth } from './credential.js';
import { ClientError, OAuthError } from './errors.js';
import type { RetryOptions } from './retry.js';
import { withRetry } from './retry.js';
import type { TokenCache } from './token-cache.js';

/** Everything the acquire-token steps share: metadata, credentials, cache, time and HTTP. */
export interface ClientContext {
  authority: string;
  clientId: string;
  cache: TokenCache;
  clock: Clock;
  sleep: Sleep;
  /** Access tokens with less than this left are renewed. */
  refreshBeforeExpiryMs: number;
  metadata(): Promise<oauth.AuthorizationServer>;
  client: oauth.Client;
  clientAuth(): Promise<oauth.ClientAuth>;
  /** Options for every oauth4webapi request: the injected fetch, plain http on loopback only. */
  http: HttpOptions;
  /** Refreshes under way, by key: concurrent callers share one, so a rotated token is used once. */
  inFlight: Map<string, Promise<unknown>>;
  /** Runs one request + response step with retries, turning oauth4webapi errors into ours. */
  run<T>(step: (as: oauth.AuthorizationServer, auth: oauth.ClientAuth) => Promise<T>): Promise<T>;
}

/** The oauth4webapi request options this package sets, valid for GET and POST alike. */
export interface HttpOptions {
  [oauth.allowInsecureRequests]?: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one fetch serves every request type
  [oauth.customFetch]?: (url: string, options: oauth.CustomFetchOptions<any, any>) => Promise<Response>;
}

export interface ClientContextOptions {
  authority: string;
  clientId: string;
  credential?: ClientCredential | undefined;
  cache: TokenCache;
  clock: Clock;
  sleep: Sleep;
  refreshBeforeExpiryMs: number;
  fetch?: typeof fetch | undefined;
  retry?: RetryOptions | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function createClientContext(options: ClientContextOptions): ClientContext {
  const issuer = new URL(options.authority);
  const fetchImpl = options.fetch;
  const http: HttpOptions = {
    // RFC 8252 §8.3: plain http is acceptable on the loopback interface only.
    ...(issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname) ? { [oauth.allowInsecureRequests]: true } : {}),
    ...(fetchImpl ? { [oauth.customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init) } : {}),
  };
  const retry = (attempt: () => Promise<unknown>) => withRetry(attempt, options.retry ?? {}, { sleep: options.sleep });
  let discovered: Promise<oauth.AuthorizationServer> | undefined;
  const metadata = () => {
    discovered ??= retry(() => translate(async () => oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...http, algorithm: 'oidc' })))) as Promise<oauth.AuthorizationServer>;
    // A failed discovery is tried again next time rather than remembered.
    discovered.catch(() => { discovered = undefined; });
    return discovered;
  };
  const clientAuth = createClientAuth(options.credential);
  const client: oauth.Client = { client_id: options.clientId };
  return {
    authority: options.authority,
    clientId: options.clientId,
    cache: options.cache,
    clock: options.clock,
    sleep: options.sleep,
    refreshBeforeExpiryMs: options.refreshBeforeExpiryMs,
    metadata,
    client,
    clientAuth,
    http,
    inFlight: new Map(),
    async run(step) {
      const [as, auth] = await Promise.all([metadata(), clientAuth()]);
      return retry(() => translate(() => step(as, auth))) as Promise<Awaited<ReturnType<typeof step>>>;
    },
  };
}

/** oauth4webapi's errors as this package's: OAuth error bodies, bare 5xx, everything else. */
async function translate<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toClientError(error);
  }
}

export function toClientError(error: unknown): unknown {
  if (error instanceof ClientError) return error;
  if (error instanceof oauth.ResponseBodyError) return new OAuthError(error.error, error.error_description, error.status, { cause: error });
  if (error instanceof oauth.AuthorizationResponseError) return new OAuthError(error.error, error.error_description, 0, { cause: error });
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0];
    return new OAuthError(challenge?.parameters.error ?? 'invalid_client', challenge?.parameters.error_description, error.status, { cause: error });
  }
  if (error instanceof oauth.OperationProcessingError) {
    const response = error.cause instanceof Response ? error.cause : undefined;
    // A 5xx page that is not an OAuth error body (a proxy's 502, a 503 during deploys).
    if (response && response.status >= 500) return new OAuthError('server_error', `HTTP ${response.status}`, response.status, { cause: error });
    return new ClientError('ERR_CLIENT_PROTOCOL', error.message, { cause: error });
  }
  return error;
}
