import { fetchJson } from './fetch-json.js';
import type { FetchLike } from './fetch-json.js';
import { GuardError } from './guard-error.js';

/** What the guard needs from an issuer's discovery document. */
export interface IssuerMetadata {
  issuer: string;
  jwks_uri: string;
}

/**
 * The OpenID Connect discovery URL of an issuer (OpenID Connect Discovery 1.0 §4):
 * `{issuer}/.well-known/openid-configuration`, keeping any path the issuer has.
 *
 * @example
 * ```ts
 * discoveryUrl('https://id.example.com/acme'); // 'https://id.example.com/acme/.well-known/openid-configuration'
 * ```
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/**
 * Fetches and checks an issuer's discovery document: its `issuer` must equal the expected one
 * exactly (OpenID Connect Discovery 1.0 §4.3) and `jwks_uri` must be an https URL (http only
 * on loopback hosts, for development).
 *
 * @example
 * ```ts
 * const { jwks_uri } = await fetchIssuerMetadata('https://id.example.com/acme', { fetch, timeoutMs: 5000 });
 * ```
 */
export async function fetchIssuerMetadata(issuer: string, options: { fetch: FetchLike; timeoutMs: number }): Promise<IssuerMetadata> {
  const document = await fetchJson(options.fetch, discoveryUrl(issuer), options.timeoutMs);
  if (document.issuer !== issuer) {
    throw new GuardError('ERR_GUARD_ISSUER_UNAVAILABLE', `discovery document of ${issuer} names another issuer`);
  }
  const jwksUri = document.jwks_uri;
  if (typeof jwksUri !== 'string' || !isAllowedUrl(jwksUri)) {
    throw new GuardError('ERR_GUARD_ISSUER_UNAVAILABLE', `discovery document of ${issuer} has no usable jwks_uri`);
  }
  return { issuer, jwks_uri: jwksUri };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function isAllowedUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}
