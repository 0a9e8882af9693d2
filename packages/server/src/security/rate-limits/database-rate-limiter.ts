import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { RateLimiterRes, type IRateLimiterOptions, type RateLimiterStoreAbstract } from 'rate-limiter-flexible';
import type { Db } from '../../db/database.js';
import { DELETE_BATCH_ROWS, deleteBatch } from '../../db/delete-batch.js';

// rate-limiter-flexible's types declare RateLimiterStoreAbstract, but its index does not export
// it at runtime: it is the documented base of every store, so we load it from its file.
const StoreAbstract = createRequire(import.meta.url)(
  'rate-limiter-flexible/lib/RateLimiterStoreAbstract.js',
) as typeof RateLimiterStoreAbstract;

export interface DatabaseRateLimiterOptions extends IRateLimiterOptions {
  db: Db;
  /** Epoch milliseconds; every expiry is computed from it, so tests move time instead of sleeping. */
  clock?: () => number;
}

/** What `_upsert` and `_get` hand to `_getRateLimiterRes`. */
interface StoredCounter {
  points: number;
  /** Epoch milliseconds, or null when the key never expires (duration 0). */
  expire: number | null;
}

/**
 * rate-limiter-flexible store over our own `rate_limits` table (migration 0003), through Kysely,
 * so one implementation serves the embedded PGlite database and PostgreSQL. It mirrors
 * RateLimiterPostgres (rate-limiter-flexible/lib/RateLimiterPostgres.js) statement for statement:
 * an atomic `insert ... on conflict do update ... returning`, a fixed window that restarts once
 * `expire` has passed, and `forceExpire` (used by `block()` and `set()`) overwriting points and
 * expiry. Differences: no table creation at runtime (the migration owns it), no timer of its own
 * (call {@link sweepExpiredRateLimits} from the server's sweeper) and an injectable clock.
 *
 * @example
 * const limiter = new DatabaseRateLimiter({ db, keyPrefix: 'signup', points: 3, duration: 3600 });
 * await limiter.consume('tenant:hash'); // rejects with a RateLimiterRes on the 4th call within an hour
 */
export class DatabaseRateLimiter extends StoreAbstract {
  readonly #db: Db;
  readonly #clock: () => number;

  constructor(options: DatabaseRateLimiterOptions) {
    const { db, clock, ...limiterOptions } = options;
    super({ ...limiterOptions, storeClient: db });
    this.#db = db;
    this.#clock = clock ?? Date.now;
  }

  async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<StoredCounter> {
    const now = this.#clock();
    const newExpire = msDuration > 0 ? now + msDuration : null;
    const expired = sql<boolean>`rate_limits.expire <= ${now}::bigint`;
    const row = await this.#db.insertInto('rate_limits')
      .values({ key: rlKey, points, expire: newExpire })
      .onConflict((conflict) => conflict.column('key').doUpdateSet({
        points: forceExpire
          ? sql<number>`${points}::integer`
          : sql<number>`case when ${expired} then ${points}::integer else rate_limits.points + ${points}::integer end`,
        expire: forceExpire
          ? sql<number | null>`${newExpire}::bigint`
          : sql<number | null>`case when ${expired} then ${newExpire}::bigint else rate_limits.expire end`,
      }))
      .returning(['points', 'expire'])
      .executeTakeFirstOrThrow();
    return toCounter(row);
  }

  async _get(rlKey: string): Promise<StoredCounter | null> {
    const now = this.#clock();
    const row = await this.#db.selectFrom('rate_limits')
      .select(['points', 'expire'])
      .where('key', '=', rlKey)
      .where((eb) => eb.or([eb('expire', '>', sql<string>`${now}::bigint`), eb('expire', 'is', null)]))
      .executeTakeFirst();
    return row ? toCounter(row) : null;
  }

  /**
   * What `get` returns for each (limiter, key), read in one statement: the limiters must share
   * this database. Sign-in reads five counters before each password check; one statement instead
   * of five is most of what the brute-force gate costs.
   */
  static async getMany(reads: readonly { limiter: DatabaseRateLimiter; key: string }[]): Promise<(RateLimiterRes | null)[]> {
    const first = reads[0]?.limiter;
    if (!first) return [];
    const now = first.#clock();
    const rlKeys = reads.map(({ limiter, key }) => limiter.getKey(key));
    const rows = await first.#db.selectFrom('rate_limits')
      .select(['key', 'points', 'expire'])
      .where('key', 'in', [...new Set(rlKeys)])
      .where((eb) => eb.or([eb('expire', '>', sql<string>`${now}::bigint`), eb('expire', 'is', null)]))
      .execute();
    const found = new Map(rows.map((row) => [row.key, toCounter(row)]));
    return reads.map(({ limiter }, index) => {
      const rlKey = rlKeys[index]!;
      const stored = found.get(rlKey);
      return stored ? limiter._getRateLimiterRes(rlKey, 0, stored) : null;
    });
  }

  async _delete(rlKey: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('rate_limits').where('key', '=', rlKey).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Same arithmetic as RateLimiterPostgres#_getRateLimiterRes, on our clock. */
  _getRateLimiterRes(_rlKey: string, changedPoints: number, stored: StoredCounter): RateLimiterRes {
    const isFirstInDuration = changedPoints === stored.points;
    const consumedPoints = isFirstInDuration ? changedPoints : stored.points;
    const msBeforeNext = stored.expire === null ? -1 : Math.max(stored.expire - this.#clock(), 0);
    return new RateLimiterRes(Math.max(this.points - consumedPoints, 0), msBeforeNext, consumedPoints, isFirstInDuration);
  }
}

function toCounter(row: { points: number; expire: string | number | null }): StoredCounter {
  return { points: Number(row.points), expire: row.expire === null ? null : Number(row.expire) };
}

/**
 * Deletes counters that expired before `now` (keys without expiry stay: they are the per-account
 * unblock generations). Call it from the server's periodic sweeper; returns how many rows went.
 */
export function sweepExpiredRateLimits(db: Db, now: Date | number = Date.now(), limit = DELETE_BATCH_ROWS): Promise<number> {
  const ms = typeof now === 'number' ? now : now.getTime();
  return deleteBatch(db, 'rate_limits', (eb) => eb('expire', '<', sql<string>`${ms}::bigint`), limit);
}
