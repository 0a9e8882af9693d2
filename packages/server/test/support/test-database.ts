import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock } from '../../src/db/data-dir-lock.js';
import { createPglitePool } from '../../src/db/pglite-pool.js';
import type { Database } from '../../src/db/schema.js';
import { openDatabase, openPglite, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedEmbeddedDatabase } from './embedded-template.js';

export type TestDatabaseKind = 'embedded' | 'postgres';

/**
 * The database of the running vitest project: `embedded` or `postgres` (set per project in
 * vitest.config.ts). Outside vitest it defaults to `embedded`.
 */
export function testDatabaseKind(env: NodeJS.ProcessEnv = process.env): TestDatabaseKind {
  const kind = env.TESSERA_TEST_DB ?? 'embedded';
  if (kind !== 'embedded' && kind !== 'postgres') {
    throw new Error(`TESSERA_TEST_DB must be "embedded" or "postgres", got "${kind}"`);
  }
  return kind;
}

function adminUrl(): string {
  const url = process.env.TESSERA_TEST_DATABASE_URL?.trim();
  if (!url) {
    throw new Error('TESSERA_TEST_DB=postgres needs TESSERA_TEST_DATABASE_URL (a superuser URL on a throwaway cluster)');
  }
  return url;
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `tessera_test_<random>` on the test cluster and returns its URL. */
export async function createTestPostgresDatabase(): Promise<{ name: string; url: string }> {
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

/**
 * The database for a fresh data directory of this project's kind: a new PostgreSQL database in
 * the `postgres` project (returned, to pass as DATABASE_URL and drop later), or in `embedded`
 * a copy of the run's migrated template in `dataDir/pg` (returns undefined).
 */
export async function createFreshTestDatabase(dataDir: string): Promise<{ name: string; url: string } | undefined> {
  if (testDatabaseKind() === 'postgres') return createTestPostgresDatabase();
  await seedEmbeddedDatabase(dataDir);
  return undefined;
}

/** Drops a database made by createTestPostgresDatabase, closing any connection left to it. */
export async function dropTestPostgresDatabase(name: string): Promise<void> {
  if (!/^tessera_test_[0-9a-f]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
  await withAdminClient((client) => client.query(`drop database if exists "${name}" with (force)`));
}

/**
 * Kysely over the server's database, for assertions. The pool opens lazily on the first query.
 * The embedded database (PGlite) is single-process: open it only while the server is stopped.
 */
export function openTestDatabase(options: { kind: TestDatabaseKind; dataDir: string; databaseUrl?: string | undefined }): Kysely<Database> {
  if (options.kind === 'embedded') return openEmbedded(options.dataDir);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Holds the data directory lock like a CLI command does, so a server started meanwhile refuses. */
function openEmbedded(dataDir: string): Kysely<Database> {
  const dir = path.join(dataDir, 'pg');
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: async () => {
        // Never create an empty database here: that would hide a server that wrote nowhere.
        if (!existsSync(dir)) throw new Error(`no embedded database at ${dir}: the server never created it`);
        const lock = acquireDataDirLock(dataDir, 'cli');
        try {
          const pool = createPglitePool(await openPglite(dir));
          return { connect: () => pool.connect(), end: () => pool.end().finally(() => lock.release()) };
        } catch (error) {
          lock.release();
          throw error;
        }
      },
    }),
  });
}

/**
 * A migrated database for unit tests of code that needs one: PGlite in a temporary directory, or
 * a fresh PostgreSQL database in the `postgres` project. `close()` also deletes it.
 *
 * @example
 * let database: DatabaseHandle;
 * beforeAll(async () => { database = await openMigratedTestDatabase('tessera-mailer-'); });
 * afterAll(() => database.close());
 */
export async function openMigratedTestDatabase(prefix: string): Promise<DatabaseHandle> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  const postgres = await createFreshTestDatabase(dir);
  const database = await openDatabase({ dataDir: dir, databaseUrl: postgres?.url });
  await migrateToLatest(database.db);
  return {
    ...database,
    async close() {
      await database.close();
      await rm(dir, { recursive: true, force: true });
      if (postgres) await dropTestPostgresDatabase(postgres.name);
    },
  };
}
