import { jwtVerify } from 'jose';
import type { FlattenedJWSInput, JWSHeaderParameters } from 'jose';
import { ASYMMETRIC_ALGORITHMS, assertAsymmetricAlgorithms } from './algorithms.js';
import { MAX_AUTHORIZATION_HEADER_BYTES } from './authorization-header.js';
import { assertClaimTypes } from './claims.js';
import type { AccessTokenClaims } from './claims.js';
import type { FetchLike } from './fetch-json.js';
import { GuardError } from './guard-error.js';
import { createIssuerRegistry } from './issuer-registry.js';
import type { JwksSettings, TrustedIssuer, TrustedIssuers } from './issuer-registry.js';
import { toGuardError } from './jose-errors.js';
import { createVerifiedTokenCache } from './verified-token-cache.js';

export interface GuardOptions {
  /**
   * The trusted issuer(s), exactly as in their tokens' `iss`: one URL, a list, or a predicate
   * for multi-tenant APIs. Keys come from `{issuer}/.well-known/openid-configuration`.
   */
  issuer: TrustedIssuers;
  /** This API's identifier(s); the token's `aud` must contain one (RFC 9068 §4). */
  audience: string | readonly string[];
  /** Allowed signing algorithms; asymmetric only. Default: every asymmetric one jose supports. */
  algorithms?: readonly string[];
  /** Seconds of clock skew allowed for `exp` and `nbf`. Default 60. */
  clockTolerance?: number;
  /** When set, the token's `tid` must be one of these. */
  tenants?: readonly string[];
  /**
   * Accepted JOSE header `typ` values, compared case-insensitively without `application/`.
   * Default `['at+jwt']` (RFC 9068 §4). Add `'jwt'` for providers that do not set `at+jwt`
   * (Auth0, Entra ID, Keycloak); `false` skips the check.
   */
  typ?: readonly string[] | false;
  /** Reuse verifications of a repeated token (see README). Off by default. */
  cache?: { maxEntries: number; ttlMs?: number };
  jwks?: JwksSettings;
  fetch?: FetchLike;
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** A configured token validator; adapters wrap it for each framework. */
export interface Guard {
  /** Verifies an access token; resolves to its claims or rejects with a {@link GuardError}. */
  verify(token: string): Promise<AccessTokenClaims>;
  /**
   * The claims of a token the verified-token cache still holds, synchronously; undefined when
   * there is no cache or the token is not in it (then call `verify`).
   */
  verifiedClaims(token: string): AccessTokenClaims | undefined;
  /** The guard's clock (milliseconds), for requirements such as `maxAge`. */
  readonly clock: () => number;
}

function typChecker(typ: readonly string[] | false | undefined) {
  if (typ === false) return () => undefined;
  const normalize = (value: string) => value.toLowerCase().replace(/^application\//, '');
  const accepted = new Set((typ ?? ['at+jwt']).map(normalize));
  return (header: JWSHeaderParameters) => {
    if (typeof header.typ !== 'string' || !accepted.has(normalize(header.typ))) {
      throw new GuardError('ERR_GUARD_TOKEN_INVALID', `token type (typ) must be ${[...accepted].join(' or ')}; ID tokens and other JWTs are not access tokens`);
    }
  };
}

/**
 * Creates a guard that validates JWT access tokens (RFC 9068) from one or more OpenID
 * Connect issuers: signature through the issuer's cached JWKS, `iss`, `aud`, `exp`/`nbf`
 * with skew, `typ`, an asymmetric algorithm allow-list, claim types and optional tenants.
 *
 * @example
 * ```ts
 * const guard = createGuard({ issuer: 'https://id.example.com/acme', audience: 'api://weather' });
 * const claims = await guard.verify(token); // throws GuardError when invalid
 * ```
 */
export function createGuard(options: GuardOptions): Guard {
  const algorithms = [...(options.algorithms ?? ASYMMETRIC_ALGORITHMS)];
  assertAsymmetricAlgorithms(algorithms);
  // RFC 9068 §4: an API must check aud; a guard without one would accept any API's tokens.
  if (!options.audience || options.audience.length === 0) throw new TypeError('audience is required');
  const clock = options.clock ?? Date.now;
  const cache = options.cache ? createVerifiedTokenCache<AccessTokenClaims>({ ...options.cache, clock }) : undefined;
  const registry = createIssuerRegistry({
    ...options.jwks,
    issuers: options.issuer,
    fetch: options.fetch ?? (fetch as FetchLike),
    clock,
    onKeysChange: () => cache?.clear(), // a removed key must not keep its tokens valid
  });
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  const assertTyp = typChecker(options.typ);
  const tenants = options.tenants ? new Set(options.tenants) : undefined;
  const resolvers = new WeakMap<TrustedIssuer, (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>>();
  const resolverOf = (trusted: TrustedIssuer) => {
    let resolver = resolvers.get(trusted);
    if (!resolver) {
      resolver = (header, token) => (assertTyp(header), trusted.keys(header, token));
      resolvers.set(trusted, resolver);
    }
    return resolver;
  };

  async function verifyUncached(token: string): Promise<AccessTokenClaims> {
    try {
      const trusted = registry.issuerOf(token);
      const { payload } = await jwtVerify(token, resolverOf(trusted), {
        issuer: trusted.issuer,
        audience,
        algorithms,
        clockTolerance: options.clockTolerance ?? 60,
        currentDate: new Date(clock()),
        requiredClaims: ['exp', 'sub'],
      });
      const claims = assertClaimTypes(payload);
      if (tenants && (claims.tid === undefined || !tenants.has(claims.tid))) {
        throw new GuardError('ERR_GUARD_TOKEN_INVALID', 'token is from a tenant this API does not serve (tid)');
      }
      return claims;
    } catch (error) {
      throw toGuardError(error, token);
    }
  }

  return {
    clock,
    verifiedClaims: (token) => cache?.get(token),
    async verify(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > MAX_AUTHORIZATION_HEADER_BYTES) {
        throw new GuardError('ERR_GUARD_TOKEN_MALFORMED', 'token is empty or too long');
      }
      const cached = cache?.get(token);
      if (cached) return cached;
      const claims = await verifyUncached(token);
      // Shared between requests once cached, so no handler may change it for the next one.
      if (cache) cache.set(token, Object.freeze(claims), claims.exp * 1000);
      return claims;
    },
  };
}
