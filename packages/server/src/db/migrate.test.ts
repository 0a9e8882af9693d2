import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from './database.js';
import { migrateToLatest } from './migrate.js';
import { down as dropSweepIndexes } from './migrations/0011-sweep-indexes.js';

let database: DatabaseHandle;
beforeAll(async () => { database = await openMigratedTestDatabase('tessera-migrate-'); });
afterAll(() => database?.close());

const appliedNames = async () =>
  (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db)).rows.map((row) => row.name);

describe('migrateToLatest', () => {
  it('does nothing on a database that has every migration', async () => {
    const before = await appliedNames();
    expect(before).toHaveLength(11);
    expect(await migrateToLatest(database.db)).toEqual([]);
    expect(await appliedNames()).toEqual(before);
  });

  it('applies a migration the database lacks, then is up to date again', async () => {
    await dropSweepIndexes(database.db as unknown as Kysely<unknown>); // a migration's own type
    await sql`delete from kysely_migration where name = '0011-sweep-indexes'`.execute(database.db);
    expect(await migrateToLatest(database.db)).toEqual(['0011-sweep-indexes']);
    const { rows } = await sql<{ indexname: string }>`select indexname from pg_indexes where indexname = 'account_sessions_expires'`.execute(database.db);
    expect(rows).toHaveLength(1);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('refuses a database migrated by a newer version (a migration it does not know), changing nothing', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(database.db);
    try {
      await expect(migrateToLatest(database.db)).rejects.toThrow(/9999-from-the-future/);
      expect(await appliedNames()).toContain('9999-from-the-future');
    } finally {
      await sql`delete from kysely_migration where name = '9999-from-the-future'`.execute(database.db);
    }
  });
});
