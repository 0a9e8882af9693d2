import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestPostgresDatabase, dropTestPostgresDatabase, testDatabaseKind } from '../../../test/support/test-database.js';
import { openDatabase, type DatabaseHandle } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { abuseProtectionCases } from './abuse-protection.cases.js';
import { createAbuseProtection } from './abuse-protection.js';

// The database store, on the embedded database or PostgreSQL (whichever this vitest project runs).
let dir: string;
let database: DatabaseHandle;
let postgres: { name: string; url: string } | undefined;
let now = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tessera-limits-'));
  postgres = testDatabaseKind() === 'postgres' ? await createTestPostgresDatabase() : undefined;
  database = await openDatabase({ dataDir: dir, databaseUrl: postgres?.url });
  await migrateToLatest(database.db);
});
afterAll(async () => {
  await database.close();
  await rm(dir, { recursive: true, force: true });
  if (postgres) await dropTestPostgresDatabase(postgres.name);
});

abuseProtectionCases({
  name: `the ${testDatabaseKind()} database`,
  create: ({ onBlock }) => createAbuseProtection({ db: database.db, onBlock, clock: () => now }),
  advance: (ms) => { now += ms; },
  async dump(tenantId) {
    const rows = await database.db.selectFrom('rate_limits').selectAll().where('key', 'like', `%${tenantId}%`).execute();
    return JSON.stringify(rows);
  },
});
