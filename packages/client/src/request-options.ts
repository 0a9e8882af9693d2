/**
 * What every token request accepts.
 *
 * @example
 * ```ts
 * import type { TokenRequestOptions } from '@tessera/client';
 * // Auth0 names the API with `audience`; RFC 8707 providers with `resource`.
 * const auth0: TokenRequestOptions = { scopes: ['read:forecasts'], extraParameters: { audience: 'https://weather.example.com' } };
 * const rfc8707: TokenRequestOptions = { scopes: ['weather.read'], resource: 'api://weather' };
 * ```
 */
export interface TokenRequestOptions {
  /** Entra-style (`api://weather/.default`, `api://weather/weather.read`) or plain scopes. */
  scopes: readonly string[];
  /** Sent as RFC 8707 `resource` parameter(s) when given; Tessera also reads the API from Entra-style scopes. */
  resource?: string | string[];
  /** More form fields, e.g. Auth0's `audience`. They cannot replace the ones this package sets. */
  extraParameters?: Record<string, string>;
  /** Skip the cache and ask the server. */
  forceRefresh?: boolean;
}
