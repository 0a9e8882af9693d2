import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, testDatabaseKind } from '../../test/support/test-database.js';
import type { DatabaseHandle } from './database.js';

const embedded = testDatabaseKind() === 'embedded';

describe.skipIf(!embedded)('the embedded database', () => {
  let database: DatabaseHandle;
  beforeAll(async () => { database = await openMigratedTestDatabase('tessera-embedded-settings-'); });
  afterAll(() => database?.close());

  it('runs with a 32 MB buffer pool, not PostgreSQL\'s 128 MB (cleared at every open, docs/architecture.md)', async () => {
    const { rows } = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(database.db);
    expect(rows).toEqual([{ shared_buffers: '32MB' }]);
  });
});
