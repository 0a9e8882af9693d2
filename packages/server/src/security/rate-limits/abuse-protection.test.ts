import { afterAll, beforeAll } from 'vitest';
import { openMigratedTestDatabase, testDatabaseKind } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../../db/database.js';
import { abuseProtectionCases } from './abuse-protection.cases.js';
import { createAbuseProtection } from './abuse-protection.js';

// The database store, on the embedded database or PostgreSQL (whichever this vitest project runs).
let database: DatabaseHandle;
let now = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-limits-');
});
afterAll(async () => {
  await database.close();
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
