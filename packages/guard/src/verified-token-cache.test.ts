import { describe, expect, it } from 'vitest';
import { createVerifiedTokenCache } from './verified-token-cache.js';

describe('createVerifiedTokenCache', () => {
  it('never serves an entry past the token exp, nor past the ttl', () => {
    let now = 1_000_000;
    const cache = createVerifiedTokenCache<string>({ maxEntries: 10, ttlMs: 60_000, clock: () => now });
    cache.set('short', 'a', now + 5_000);
    cache.set('long', 'b', now + 3_600_000);
    now += 4_999;
    expect(cache.get('short')).toBe('a');
    now += 1;
    expect(cache.get('short')).toBeUndefined();
    now += 55_000;
    expect(cache.get('long')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the least recently used (recency refreshed at most once a second)', () => {
    let now = 0;
    const cache = createVerifiedTokenCache<number>({ maxEntries: 2, clock: () => now });
    cache.set('t1', 1, 100_000);
    cache.set('t2', 2, 100_000);
    now = 1_000;
    cache.get('t1');
    cache.set('t3', 3, 100_000);
    expect([cache.get('t1'), cache.get('t2'), cache.get('t3')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
    // Within the same second a hit does not move the entry: t1 (touched at 1 s) goes before t3.
    now = 1_500;
    cache.get('t1');
    cache.set('t4', 4, 100_000);
    expect([cache.get('t1'), cache.get('t3'), cache.get('t4')]).toEqual([undefined, 3, 4]);
  });

  it('does not store an already expired token; clear empties it', () => {
    const cache = createVerifiedTokenCache<number>({ maxEntries: 2, clock: () => 5_000 });
    cache.set('old', 1, 5_000);
    expect(cache.size).toBe(0);
    cache.set('new', 2, 9_000);
    cache.clear();
    expect(cache.get('new')).toBeUndefined();
  });
});
