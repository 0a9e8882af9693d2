import type { Account } from './account.js';

/**
 * A cached access token for one (authority, client, account or the app itself, scope set).
 *
 * @example
 * ```ts
 * import type { AccessTokenEntry } from '@tessera/client';
 * const entry: AccessTokenEntry = {
 *   kind: 'access_token', accessToken: 'eyJ…', tokenType: 'Bearer', expiresAt: Date.now() + 3_600_000, scopes: ['api://weather/.default'],
 * };
 * ```
 */
export interface AccessTokenEntry {
  kind: 'access_token';
  accessToken: string;
  tokenType: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  scopes: string[];
  idToken?: string;
  account?: Account;
}

/**
 * The refresh token of one account (rotated on every use) and the account it signs in.
 *
 * @example
 * ```ts
 * import type { RefreshTokenEntry } from '@tessera/client';
 * declare const account: import('@tessera/client').Account;
 * const entry: RefreshTokenEntry = { kind: 'refresh_token', refreshToken: 'opaque', account };
 * ```
 */
export interface RefreshTokenEntry {
  kind: 'refresh_token';
  refreshToken: string;
  account: Account;
}

/**
 * What a token cache stores; plain JSON, so a persistent cache can serialize it as it is.
 *
 * @example
 * ```ts
 * import type { TokenCacheEntry } from '@tessera/client';
 * const isAccessToken = (entry: TokenCacheEntry) => entry.kind === 'access_token';
 * ```
 */
export type TokenCacheEntry = AccessTokenEntry | RefreshTokenEntry;

/**
 * Where tokens are kept. The default is in memory; implement this over a file, the OS keychain
 * or Redis to keep tokens across restarts (encrypt them at rest: they are credentials).
 * Methods may be synchronous or return promises.
 *
 * @example
 * ```ts
 * import type { TokenCache, TokenCacheEntry } from '@tessera/client';
 * const map = new Map<string, string>();
 * const jsonCache: TokenCache = {
 *   get: (key) => { const value = map.get(key); return value ? (JSON.parse(value) as TokenCacheEntry) : undefined; },
 *   set: (key, entry) => { map.set(key, JSON.stringify(entry)); },
 *   delete: (key) => { map.delete(key); },
 * };
 * ```
 */
export interface TokenCache {
  get(key: string): TokenCacheEntry | undefined | Promise<TokenCacheEntry | undefined>;
  set(key: string, entry: TokenCacheEntry): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/**
 * An in-memory token cache (the default): lost when the process ends.
 *
 * @example
 * ```ts
 * import { createClientApplication, createMemoryCache } from '@tessera/client';
 * const cache = createMemoryCache();
 * const app = createClientApplication({ authority: 'https://id.example.com/demo', clientId: 'cli', cache });
 * ```
 */
export function createMemoryCache(): TokenCache {
  const entries = new Map<string, TokenCacheEntry>();
  return {
    get: (key) => entries.get(key),
    set: (key, entry) => { entries.set(key, entry); },
    delete: (key) => { entries.delete(key); },
  };
}

/** Cache keys: what a token was issued for, and to whom. */
export const cacheKeys = {
  accessToken: (authority: string, clientId: string, owner: string, scopes: readonly string[]) =>
    ['access_token', authority, clientId, owner, scopes.join(' ')].join('|'),
  refreshToken: (authority: string, clientId: string, homeAccountId: string) =>
    ['refresh_token', authority, clientId, homeAccountId].join('|'),
};
