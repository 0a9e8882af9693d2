import { mkdirSync } from 'node:fs';
import path from 'node:path';
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

async function pgliteDialect(dataDir: string) {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = path.resolve(dataDir, 'pg');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const open = (database?: string): Promise<InstanceType<typeof PGlite>> => PGlite.create(dir, database ? { database } : {});
  const { pglite } = await freezeEmbeddedTemplates(await open(), open);
  return { dialect: new PostgresDialect({ pool: createPglitePool(pglite) }), kind: 'embedded' as const };
}
