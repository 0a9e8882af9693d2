import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../db/database.js';
import { DatabaseRateLimiter } from './database-rate-limiter.js';

/** One counter family: its key prefix, and the points allowed per window (`duration` 0: never expires). */
export interface LimiterSpec {
  name: string;
  points: number;
  duration: number;
}

export interface LimiterStore {
  kind: 'database' | 'redis';
  /** The rate-limiter-flexible limiter for this spec, built once per (name, points, duration). */
  limiter(spec: LimiterSpec): RateLimiterAbstract;
  /** `get` of several (limiter, key) pairs of this store: one statement on the database. */
  getMany(reads: readonly CounterRead[]): Promise<(RateLimiterRes | null)[]>;
  close(): Promise<void>;
}

export interface CounterRead {
  limiter: RateLimiterAbstract;
  key: string;
}

export interface LimiterStoreDeps {
  db: Db;
  /** When set, counters live in Redis (shared by every server node) instead of the database. */
  redisUrl?: string | undefined;
  /** Epoch milliseconds for the database store. Redis expires keys on its own clock. */
  clock?: (() => number) | undefined;
}

/**
 * Builds rate-limiter-flexible limiters over the database (default) or Redis. Tenants' limits
 * differ, and a limiter is fixed to its points and duration, so limiters are cached by their
 * settings; the key prefix depends on the name only, so counts survive a settings change.
 */
export function createLimiterStore(deps: LimiterStoreDeps): LimiterStore {
  const cache = new Map<string, RateLimiterAbstract>();
  const backend = deps.redisUrl ? redisBackend(deps.redisUrl) : databaseBackend(deps.db, deps.clock);
  return {
    kind: backend.kind,
    limiter(spec) {
      const id = `${spec.name}|${spec.points}|${spec.duration}`;
      let limiter = cache.get(id);
      if (!limiter) {
        limiter = backend.create({ keyPrefix: `rl:${spec.name}`, points: spec.points, duration: spec.duration });
        cache.set(id, limiter);
      }
      return limiter;
    },
    getMany: backend.getMany,
    close: backend.close,
  };
}

interface Backend {
  kind: LimiterStore['kind'];
  create(options: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract;
  getMany(reads: readonly CounterRead[]): Promise<(RateLimiterRes | null)[]>;
  close(): Promise<void>;
}

function databaseBackend(db: Db, clock: (() => number) | undefined): Backend {
  return {
    kind: 'database',
    create: (options) => new DatabaseRateLimiter({ ...options, db, clock }),
    // Every limiter of this backend is a DatabaseRateLimiter over `db`.
    getMany: (reads) => DatabaseRateLimiter.getMany(reads as readonly { limiter: DatabaseRateLimiter; key: string }[]),
    // The database belongs to the caller.
    close: async () => {},
  };
}

function redisBackend(redisUrl: string): Backend {
  // Fail a command fast when Redis is unreachable rather than queueing it for seconds; the
  // insurance limiter then answers (rate-limiter-flexible's documented fallback).
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  // Connection errors surface as rejected commands (and so reach the insurance limiter); without
  // a listener ioredis would print every reconnection attempt.
  client.on('error', () => {});
  return {
    kind: 'redis',
    create: (options) => new RateLimiterRedis({
      ...options,
      storeClient: client,
      // While Redis is down each node limits on its own, in memory: degraded, never open.
      insuranceLimiter: new RateLimiterMemory(options),
    }),
    // One round trip each, in parallel; each falls back to its insurance limiter on its own.
    getMany: (reads) => Promise.all(reads.map(({ limiter, key }) => limiter.get(key))),
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
