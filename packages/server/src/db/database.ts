import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { freezeEmbeddedTemplates } from './embedded-vacuum.js';
import { createPglitePool } from './pglite-pool.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  /** `embedded` (PGlite in the data directory) or `postgres` (DATABASE_URL). */
  kind: 'embedded' | 'postgres';
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
}

/** Opens PostgreSQL when `databaseUrl` is set, else the embedded PGlite database in `dataDir/pg`. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const { dialect, kind } = options.databaseUrl
    ? await postgresDialect(options.databaseUrl)
    : await pgliteDialect(options.dataDir);
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind,
    async isReachable() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => db.destroy(),
  };
}

async function postgresDialect(connectionString: string) {
  const pg = await import('pg');
  const pool = new pg.default.Pool({ connectionString, max: 10 });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), kind: 'postgres' as const };
}

/**
 * PostgreSQL settings of the embedded database, beside PGlite's own. `shared_buffers`: PGlite's
 * PostgreSQL clears its whole buffer pool at every open, in WebAssembly, and keeps it in the
 * process's memory. At 32 MB rather than PostgreSQL's default of 128 MB, an open takes ~0.65 s
 * instead of ~0.95 s (every start and every CLI command) and a started server holds ~290 MB
 * instead of ~390 MB (measured 2026-12-04); the token benchmark did not move. Pages beyond the
 * pool are read from the operating system's file cache. docs/architecture.md, "Storage".
 */
const EMBEDDED_SETTINGS = ['shared_buffers=32MB'];

async function pgliteDialect(dataDir: string) {
  const dir = path.resolve(dataDir, 'pg');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { pglite } = await freezeEmbeddedTemplates(await openPglite(dir), (database) => openPglite(dir, database));
  return { dialect: new PostgresDialect({ pool: createPglitePool(pglite) }), kind: 'embedded' as const };
}

/** Opens the embedded database in `dir` (creating it when empty) with Tessera's settings; `database` defaults to PGlite's own. */
export async function openPglite(dir: string, database?: string): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const startParams = [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
  return PGlite.create(dir, { startParams, ...(database ? { database } : {}) });
}
