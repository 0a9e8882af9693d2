import { decodeJwt } from 'jose';
import type { FetchLike } from './fetch-json.js';
import { GuardError } from './guard-error.js';
import { fetchIssuerMetadata } from './issuer-metadata.js';
import { createJwksCache } from './jwks-cache.js';
import type { JwksCache } from './jwks-cache.js';

/** Which issuers a guard trusts: one, a list, or a predicate (multi-tenant APIs). */
export type TrustedIssuers = string | readonly string[] | ((iss: string) => boolean);

export interface JwksSettings {
  /** Refresh the keys in the background after this long. Default 10 min. */
  maxAgeMs?: number;
  /** Least time between refetches caused by an unknown `kid`. Default 30 s. */
  cooldownMs?: number;
  /** Timeout of discovery and JWKS requests. Default 5 s. */
  timeoutMs?: number;
}

export interface IssuerRegistryOptions extends JwksSettings {
  issuers: TrustedIssuers;
  fetch: FetchLike;
  clock: () => number;
  onKeysChange: () => void;
  /** With a predicate, most issuers kept at once (the oldest is dropped). Default 100. */
  maxIssuers?: number;
}

/** A trusted issuer and its keys. */
export interface TrustedIssuer {
  issuer: string;
  keys: JwksCache;
}

/**
 * Finds the trusted issuer of a token and its cached keys, created on first use from the
 * issuer's discovery document. Nothing is fetched for an issuer that is not trusted.
 *
 * @example
 * ```ts
 * const registry = createIssuerRegistry({ issuers: ['https://a.example/t1'], fetch, clock: Date.now, onKeysChange() {} });
 * const { issuer, keys } = registry.issuerOf(token);
 * ```
 */
export function createIssuerRegistry(options: IssuerRegistryOptions) {
  const known = new Map<string, TrustedIssuer>();
  const single = typeof options.issuers === 'string' ? options.issuers : undefined;
  const isTrusted = typeof options.issuers === 'function'
    ? options.issuers
    : ((list: readonly string[]) => (iss: string) => list.includes(iss))(typeof options.issuers === 'string' ? [options.issuers] : options.issuers);

  function create(issuer: string): TrustedIssuer {
    const keys = createJwksCache({
      ...options,
      jwksUri: async () => (await fetchIssuerMetadata(issuer, { fetch: options.fetch, timeoutMs: options.timeoutMs ?? 5_000 })).jwks_uri,
      onChange: options.onKeysChange,
    });
    const trusted = { issuer, keys };
    known.set(issuer, trusted);
    while (known.size > (options.maxIssuers ?? 100)) known.delete(known.keys().next().value as string);
    return trusted;
  }

  function get(issuer: string): TrustedIssuer {
    return known.get(issuer) ?? create(issuer);
  }

  return {
    /** The issuer that must have signed `token`; throws `ERR_GUARD_TOKEN_INVALID` for an untrusted `iss`. */
    issuerOf(token: string): TrustedIssuer {
      if (single !== undefined) return get(single); // jwtVerify checks iss
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch (cause) {
        throw new GuardError('ERR_GUARD_TOKEN_INVALID', 'malformed token: payload is not a JWT claims set', { cause });
      }
      if (typeof iss !== 'string') throw new GuardError('ERR_GUARD_TOKEN_INVALID', 'token has no iss claim');
      if (!isTrusted(iss)) throw new GuardError('ERR_GUARD_TOKEN_INVALID', 'token was issued by an issuer this API does not trust (iss)');
      return get(iss);
    },
  };
}
