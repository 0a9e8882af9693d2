import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase, testDatabaseKind } from '../../test/support/test-database.js';
import { EMBEDDED_VACUUM_TASK, SWEEP_TASKS, sweepTasksFor } from '../server/sweeper.js';
import { openPglite, type DatabaseHandle, type Db } from './database.js';
import { AUTOVACUUM_DEFAULTS, freezeEmbeddedTemplates, tablesDue, vacuumEmbeddedDatabase } from './embedded-vacuum.js';
import { createTenantRepository } from './repositories/tenants.js';

const number = async <T extends string>(db: Db, query: ReturnType<typeof sql<Record<T, number>>>, column: T) =>
  Number((await query.execute(db)).rows[0]![column]);
const flowsSize = (db: Db) => number(db, sql<{ size: number }>`select pg_relation_size('flows')::float8 as size`, 'size');
async function deadFlows(db: Db) {
  await sql`select pg_stat_force_next_flush()`.execute(db);
  return number(db, sql<{ dead: number }>`select n_dead_tup::float8 as dead from pg_stat_all_tables where relname = 'flows'`, 'dead');
}
const databaseXidAge = (db: Db) => number(db, sql<{ age: number }>`select age(datfrozenxid)::float8 as age from pg_database where datname = current_database()`, 'age');

async function insertExpiredFlows(db: Db, count: number) {
  await sql`insert into flows (id, tenant_id, type, state, ui, data, expires_at)
    select 'vacuum-test-' || g || '-' || md5(random()::text), 'acme', 'login', 'new', '{}', ${JSON.stringify({ padding: 'x'.repeat(200) })}, now() - interval '1 hour'
    from generate_series(1, ${count}) g`.execute(db);
}

describe('which sweep a server runs', () => {
  it('vacuums only the embedded database: a PostgreSQL server has its own autovacuum', () => {
    expect(sweepTasksFor('embedded')).toEqual([...SWEEP_TASKS, EMBEDDED_VACUUM_TASK]);
    expect(sweepTasksFor('postgres')).toEqual(SWEEP_TASKS);
  });
});

// PGlite has no autovacuum; on a PostgreSQL server this work is autovacuum's, which would race these checks.
describe.skipIf(testDatabaseKind() !== 'embedded')('autovacuum for the embedded database', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openMigratedTestDatabase('tessera-vacuum-');
    await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('reuses the space of swept rows, where without it the table only grows', async () => {
    const { db } = database;
    await vacuumEmbeddedDatabase(db);
    expect(await tablesDue(db)).toEqual([]);

    await insertExpiredFlows(db, 20_000);
    const full = await flowsSize(db);
    await sql`delete from flows`.execute(db);
    expect(await deadFlows(db)).toBe(20_000);
    await insertExpiredFlows(db, 20_000);
    // The control: nothing reclaimed the deleted rows, so the same rows took the space twice.
    expect(await flowsSize(db)).toBeGreaterThanOrEqual(full * 1.9);
    await sql`delete from flows`.execute(db);

    const due = await tablesDue(db);
    expect(due).toContainEqual({ table: 'public.flows', vacuum: true, freeze: false, analyze: true });
    const done = await vacuumEmbeddedDatabase(db);
    expect(done).toEqual(due);
    expect(await deadFlows(db)).toBe(0);
    const { rows: [stats] } = await sql<{ analyzed: Date | null; vacuumed: Date | null }>`
      select last_analyze as analyzed, last_vacuum as vacuumed from pg_stat_all_tables where relname = 'flows'`.execute(db);
    expect(stats!.vacuumed).not.toBeNull();
    expect(stats!.analyzed).not.toBeNull();

    const size = await flowsSize(db);
    await insertExpiredFlows(db, 20_000);
    expect(await flowsSize(db)).toBeLessThanOrEqual(Math.max(size, full) * 1.05);
    expect(await tablesDue(db)).toContainEqual(expect.objectContaining({ table: 'public.flows' }));
  });

  it('freezes every table once its transaction ids grow old, so the database never reaches wraparound', async () => {
    const { db } = database;
    for (let i = 0; i < 30; i++) await sql`insert into rate_limits (key, points, expire) values (${`freeze-${i}`}, 1, null)`.execute(db);
    const before = await databaseXidAge(db);
    expect(before).toBeGreaterThanOrEqual(30);

    // The freeze age as a test-sized number: every table in the database is now past it.
    const policy = { ...AUTOVACUUM_DEFAULTS, freezeMaxAge: 10 };
    const due = await tablesDue(db, policy);
    expect(due.filter((table) => table.freeze).map((table) => table.table)).toEqual(expect.arrayContaining([
      'public.users', 'public.audit_events', 'public.rate_limits', 'pg_catalog.pg_class',
    ]));
    await vacuumEmbeddedDatabase(db, policy);

    // The database's oldest transaction id moved up to (nearly) now.
    expect(await databaseXidAge(db)).toBeLessThan(10);
    expect((await tablesDue(db, policy)).filter((table) => table.freeze)).toEqual([]);
  });

  it('freezes the template databases when the server opens an old embedded database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-templates-'));
    const open = (name?: string): Promise<PGlite> => openPglite(dir, name);
    const ages = async (pglite: PGlite) => Object.fromEntries((await pglite.query<{ datname: string; age: number; datallowconn: boolean }>(
      'select datname, age(datfrozenxid)::int as age, datallowconn from pg_database order by datname')).rows.map((row) => [row.datname, row]));
    let pglite = await open();
    try {
      for (let i = 0; i < 30; i++) await pglite.query('select txid_current()');
      expect((await freezeEmbeddedTemplates(pglite, open)).frozen).toEqual([]);
      const before = await ages(pglite);
      expect(before.template0!.age).toBeGreaterThanOrEqual(30);

      const result = await freezeEmbeddedTemplates(pglite, open, 10);
      pglite = result.pglite;
      expect(result.frozen).toEqual(['template0', 'template1']);
      const after = await ages(pglite);
      expect(after.template0!.age).toBeLessThan(5);
      expect(after.template1!.age).toBeLessThan(5);
      expect(after.template0!.datallowconn).toBe(false);
      expect((await pglite.query<{ name: string }>('select current_database() as name')).rows[0]!.name).toBe('postgres');
    } finally {
      await pglite.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does nothing when nothing is due', async () => {
    const { db } = database;
    await vacuumEmbeddedDatabase(db);
    expect(await vacuumEmbeddedDatabase(db)).toEqual([]);
  });
});
