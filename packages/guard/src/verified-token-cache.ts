import { hash } from 'node:crypto';

export interface VerifiedTokenCacheOptions {
  /** Most tokens kept; the least recently used goes first. */
  maxEntries: number;
  /** Longest time a verification is reused, in milliseconds (never past the token's `exp`). Default 5 min. */
  ttlMs?: number;
  /** Milliseconds since the epoch. */
  clock: () => number;
}

/** A bounded memory of tokens whose signature and claims were already checked. */
export interface VerifiedTokenCache<T> {
  get(token: string): T | undefined;
  set(token: string, value: T, expiresAtMs: number): void;
  clear(): void;
  readonly size: number;
}

interface Entry<T> {
  value: T;
  until: number;
  /** When the entry last moved to the most-recently-used end. */
  touched: number;
}

/**
 * An LRU cache (recency refreshed at most once a second per entry) of verified tokens keyed by
 * the SHA-256 of the token (the token itself is never
 * kept as a key). An entry lives until the earlier of the token's `exp` and `ttlMs` from now;
 * the guard clears it whenever the issuer's key set changes.
 *
 * @example
 * ```ts
 * const cache = createVerifiedTokenCache<AccessTokenClaims>({ maxEntries: 10_000, clock: Date.now });
 * cache.set(token, claims, claims.exp * 1000);
 * cache.get(token); // claims, until exp
 * ```
 */
export function createVerifiedTokenCache<T>(options: VerifiedTokenCacheOptions): VerifiedTokenCache<T> {
  const ttl = options.ttlMs ?? 300_000;
  const entries = new Map<string, Entry<T>>();
  // One-shot hashing: no Hash object per request (about half the cost of createHash on the hot path).
  const keyOf = (token: string) => hash('sha256', token, 'base64url');
  return {
    get(token) {
      const key = keyOf(token);
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (options.clock() >= entry.until) {
        entries.delete(key);
        return undefined;
      }
      // Recency is refreshed at most once a second per entry: moving an entry on every hit
      // (a delete and a set) cost more than the rest of the lookup.
      const now = options.clock();
      if (now - entry.touched >= 1000) {
        entry.touched = now;
        entries.delete(key);
        entries.set(key, entry); // most recently used last
      }
      return entry.value;
    },
    set(token, value, expiresAtMs) {
      const now = options.clock();
      const until = Math.min(expiresAtMs, now + ttl);
      if (until <= now || options.maxEntries < 1) return;
      const key = keyOf(token);
      entries.delete(key);
      entries.set(key, { value, until, touched: now });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
