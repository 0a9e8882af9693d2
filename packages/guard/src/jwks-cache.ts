import { createLocalJWKSet, errors } from 'jose';
import type { JSONWebKeySet, JWSHeaderParameters, FlattenedJWSInput } from 'jose';
import { fetchJson } from './fetch-json.js';
import type { FetchLike } from './fetch-json.js';
import { GuardError } from './guard-error.js';

export interface JwksCacheOptions {
  /** Where the keys are, or a function that finds out (discovery) on first use. */
  jwksUri: string | (() => Promise<string>);
  fetch: FetchLike;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** After this long the keys are refreshed in the background while still served. Default 10 min. */
  maxAgeMs?: number;
  /** Least time between two fetches caused by an unknown `kid`. Default 30 s. */
  cooldownMs?: number;
  timeoutMs?: number;
  /** Called when a fetch returned a key set different from the one held. */
  onChange?: () => void;
}

/** A key resolver for `jwtVerify`, plus what the guard needs to know about it. */
export interface JwksCache {
  (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey>;
  /** Increases whenever the key set changes. */
  readonly version: number;
  /** Fetches now (single flight); resolves when done. */
  refresh(): Promise<void>;
}

type LocalSet = ReturnType<typeof createLocalJWKSet>;

/**
 * An issuer's JWKS, cached: fetched on first use, served stale while a background refresh
 * runs (stale-while-revalidate; a failing issuer keeps the last good keys), and refetched at
 * most once per cooldown when a token names an unknown `kid` (key rotation). Built on jose's
 * `createLocalJWKSet`, which keeps imported keys.
 *
 * @example
 * ```ts
 * const keys = createJwksCache({ jwksUri: 'https://id.example.com/acme/jwks', fetch, clock: Date.now });
 * await jwtVerify(token, keys, { issuer, audience });
 * ```
 */
export function createJwksCache(options: JwksCacheOptions): JwksCache {
  const maxAge = options.maxAgeMs ?? 600_000;
  const cooldown = options.cooldownMs ?? 30_000;
  const timeout = options.timeoutMs ?? 5_000;
  let local: LocalSet | undefined;
  let serialized = '';
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;
  let version = 0;

  async function load(): Promise<void> {
    attemptedAt = options.clock();
    const uri = typeof options.jwksUri === 'string' ? options.jwksUri : await options.jwksUri();
    const body = await fetchJson(options.fetch, uri, timeout);
    if (!Array.isArray(body.keys)) throw new GuardError('ERR_GUARD_ISSUER_UNAVAILABLE', `${uri} is not a JSON Web Key Set`);
    const text = JSON.stringify(body.keys);
    fetchedAt = options.clock();
    if (text === serialized && local) return;
    local = createLocalJWKSet(body as unknown as JSONWebKeySet);
    serialized = text;
    version += 1;
    options.onChange?.();
  }

  function refresh(): Promise<void> {
    pending ??= load().finally(() => {
      pending = undefined;
    });
    return pending;
  }

  const resolve = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    if (!local) await refresh();
    else if (options.clock() >= fetchedAt + maxAge) refresh().catch(() => undefined); // serve stale meanwhile
    try {
      return await (local as LocalSet)(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || options.clock() < attemptedAt + cooldown) throw error;
      // An issuer we cannot reach makes the token's key unknown, not the request a server error.
      await refresh().catch(() => {
        throw error;
      });
      return (local as LocalSet)(header, token);
    }
  };
  return Object.defineProperties(resolve, {
    version: { get: () => version, enumerable: true },
    refresh: { value: refresh, enumerable: true },
  }) as JwksCache;
}
