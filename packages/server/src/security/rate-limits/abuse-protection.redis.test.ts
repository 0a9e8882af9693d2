import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/database.js';
import { abuseProtectionCases } from './abuse-protection.cases.js';
import { createAbuseProtection } from './abuse-protection.js';
import { LimitSettingsSchema } from './limit-settings.js';

/**
 * The Redis store (REDIS_URL) against a real Redis on loopback: TESSERA_TEST_REDIS_URL, started by
 * .ci/run in CI. Without it this file is skipped, loudly, except in CI where that is an error (the
 * rule vitest.config.ts applies to PostgreSQL). Redis never needs the database: the handle below is
 * only there because the factory's signature asks for one.
 */
const redisUrl = process.env.TESSERA_TEST_REDIS_URL?.trim() || undefined;
const inCi = Boolean(process.env.CI) && process.env.CI !== '0' && process.env.CI !== 'false';
if (!redisUrl && inCi) {
  throw new Error('CI is set but TESSERA_TEST_REDIS_URL is not: the Redis rate-limit store must be tested (see .ci/run).');
}
if (!redisUrl) {
  console.warn('\nNOTICE: the Redis rate-limit store tests were SKIPPED (TESSERA_TEST_REDIS_URL is not set). See docs/brute-force.md.\n');
}
if (redisUrl && !/^redis:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/\d+)?$/.test(redisUrl)) {
  throw new Error('TESSERA_TEST_REDIS_URL must point at a throwaway Redis on loopback (redis://127.0.0.1:<port>).');
}

let dir: string;
let database: DatabaseHandle;
let inspector: Redis | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tessera-limits-redis-'));
  database = await openDatabase({ dataDir: dir });
  if (redisUrl) inspector = new Redis(redisUrl);
});
afterAll(async () => {
  await inspector?.quit();
  await database.close();
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!redisUrl)(redisUrl ? 'Redis store' : 'Redis store (SKIPPED: TESSERA_TEST_REDIS_URL is not set)', () => {
  abuseProtectionCases({
    name: 'Redis',
    create: ({ onBlock }) => createAbuseProtection({ db: database.db, redisUrl, onBlock }),
    async dump(tenantId) {
      const keys = await inspector!.keys(`rl:*:${tenantId}:*`);
      const values = keys.length > 0 ? await inspector!.mget(keys) : [];
      return JSON.stringify({ keys, values });
    },
  });

  it('puts counters in Redis, not in the database', async () => {
    const abuse = createAbuseProtection({ db: database.db, redisUrl });
    const tenant = `redis-only-${randomBytes(4).toString('hex')}`;
    try {
      expect(abuse.storeKind).toBe('redis');
      await abuse.consume(tenant, 'registrationPerIp', LimitSettingsSchema.parse({}), '192.0.2.1');
      expect(await inspector!.keys(`rl:registrationPerIp:${tenant}:*`)).toHaveLength(1);
      // No migration ran on this database: had the store touched it, the query would have failed.
    } finally {
      await abuse.close();
    }
  });
});

describe('Redis store while Redis is unreachable', () => {
  it('keeps limiting on each node, in memory (rate-limiter-flexible insurance limiter)', async () => {
    const abuse = createAbuseProtection({ db: database.db, redisUrl: `redis://127.0.0.1:${await closedPort()}` });
    try {
      const limits = LimitSettingsSchema.parse({ recoveryPerEmail: { points: 2 } });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await abuse.consume('t', 'recoveryPerEmail', limits, 'alice@example.com'));
      expect(results.map((r) => r.allowed)).toEqual([true, true, false]);
    } finally {
      await abuse.close();
    }
  });
});

/** A loopback port nothing listens on (taken, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
