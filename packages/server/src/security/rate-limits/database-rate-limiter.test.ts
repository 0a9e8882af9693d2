import { RateLimiterRes } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../../db/database.js';
import { DatabaseRateLimiter, sweepExpiredRateLimits } from './database-rate-limiter.js';

let database: DatabaseHandle;
let now = Date.parse('2026-01-01T00:00:00Z');
let prefixes = 0;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-rl-store-');
});
afterAll(async () => {
  await database.close();
});

const limiter = (points: number, duration: number, extra: { blockDuration?: number } = {}) =>
  new DatabaseRateLimiter({ db: database.db, clock: () => now, keyPrefix: `p${prefixes++}`, points, duration, ...extra });

/** The rejection of a consume over the limit is a RateLimiterRes, as with every rate-limiter-flexible store. */
async function rejection(promise: Promise<unknown>): Promise<RateLimiterRes> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  expect(outcome).toBeInstanceOf(RateLimiterRes);
  return outcome as RateLimiterRes;
}

describe('DatabaseRateLimiter (rate-limiter-flexible store over rate_limits)', () => {
  it('consumes points in a fixed window and rejects past the limit with the time left', async () => {
    const l = limiter(2, 60);
    expect(await l.consume('k')).toMatchObject({ consumedPoints: 1, remainingPoints: 1, msBeforeNext: 60_000, isFirstInDuration: true });
    now += 10_000;
    expect(await l.consume('k')).toMatchObject({ consumedPoints: 2, remainingPoints: 0, msBeforeNext: 50_000, isFirstInDuration: false });
    expect(await rejection(l.consume('k'))).toMatchObject({ consumedPoints: 3, remainingPoints: 0, msBeforeNext: 50_000 });
    now += 50_000;
    // The window ended: the row restarts at the points consumed now.
    expect(await l.consume('k')).toMatchObject({ consumedPoints: 1, msBeforeNext: 60_000 });
  });

  it('penalty and reward move the count without rejecting; get reads it, null once expired', async () => {
    const l = limiter(1, 30);
    expect(await l.penalty('k', 3)).toMatchObject({ consumedPoints: 3 });
    expect(await l.reward('k', 1)).toMatchObject({ consumedPoints: 2 });
    expect(await l.get('k')).toMatchObject({ consumedPoints: 2, msBeforeNext: 30_000 });
    expect(await l.get('other')).toBeNull();
    now += 30_000;
    expect(await l.get('k')).toBeNull();
  });

  it('getMany reads several limiters\' keys in one go, each exactly as get would', async () => {
    const counts = limiter(5, 30);
    const gates = limiter(1, 1);
    const forever = limiter(1, 0);
    await counts.penalty('k', 2);
    await gates.block('k', 600);
    await forever.penalty('g');
    await counts.penalty('stale');
    now += 30_000;
    const reads = [
      { limiter: counts, key: 'k' }, { limiter: gates, key: 'k' }, { limiter: forever, key: 'g' },
      { limiter: counts, key: 'stale' }, { limiter: counts, key: 'missing' }, { limiter: gates, key: 'k' },
    ];
    const many = await DatabaseRateLimiter.getMany(reads);
    const one = await Promise.all(reads.map(({ limiter: l, key }) => l.get(key)));
    expect(many).toEqual(one);
    expect(many.map((res) => res?.consumedPoints ?? null)).toEqual([null, 2, 1, null, null, 2]);
    expect(await DatabaseRateLimiter.getMany([])).toEqual([]);
  });

  it('block() and set() overwrite points and expiry even inside a running window (forceExpire)', async () => {
    const l = limiter(5, 60);
    await l.consume('k');
    expect(await l.block('k', 600)).toMatchObject({ consumedPoints: 6, msBeforeNext: 600_000 });
    expect(await l.get('k')).toMatchObject({ consumedPoints: 6, msBeforeNext: 600_000 });
    expect(await rejection(l.consume('k'))).toMatchObject({ consumedPoints: 7, msBeforeNext: 600_000 });
    await l.set('k', 1, 5);
    expect(await l.get('k')).toMatchObject({ consumedPoints: 1, msBeforeNext: 5_000 });
  });

  it('blockDuration blocks the key once the limit is passed, as the other stores do', async () => {
    const l = limiter(1, 10, { blockDuration: 300 });
    await l.consume('k');
    expect(await rejection(l.consume('k'))).toMatchObject({ msBeforeNext: 300_000 });
    now += 10_000;
    expect(await rejection(l.consume('k'))).toMatchObject({ msBeforeNext: 290_000 });
  });

  it('duration 0 never expires; delete removes a key and says whether it existed', async () => {
    const l = limiter(1, 0);
    await l.penalty('forever', 2);
    now += 365 * 86_400_000;
    expect(await l.get('forever')).toMatchObject({ consumedPoints: 2, msBeforeNext: -1 });
    expect(await l.delete('forever')).toBe(true);
    expect(await l.delete('forever')).toBe(false);
    expect(await l.get('forever')).toBeNull();
  });

  it('sweepExpiredRateLimits deletes expired rows only (never the keys without expiry)', async () => {
    const l = limiter(1, 60);
    const forever = limiter(1, 0);
    await l.penalty('old');
    await forever.penalty('generation');
    now += 61_000;
    await l.penalty('fresh');
    expect(await sweepExpiredRateLimits(database.db, new Date(now))).toBeGreaterThanOrEqual(1);
    const keys = (await database.db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key);
    expect(keys).toEqual(expect.arrayContaining([l.getKey('fresh'), forever.getKey('generation')]));
    expect(keys).not.toContain(l.getKey('old'));
  });

  it('counts parallel consumes atomically: 30 at once on a limit of 25 let exactly 25 through', async () => {
    const l = limiter(25, 60);
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => l.consume('k')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(25);
    expect(await l.get('k')).toMatchObject({ consumedPoints: 30 });
  });
});
