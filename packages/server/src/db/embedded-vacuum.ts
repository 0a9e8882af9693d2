import { setImmediate as nextTurn } from 'node:timers/promises';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import type { Db } from './database.js';

/**
 * When a table is due, as PostgreSQL's autovacuum decides it, with its default settings
 * (https://www.postgresql.org/docs/current/routine-vacuuming.html#AUTOVACUUM): dead rows over
 * 50 + 20 % of the table, rows inserted since the last vacuum over 1,000 + 20 %, or its oldest
 * unfrozen transaction id older than 200 million; an ANALYZE when rows changed since the last
 * one exceed 50 + 10 %.
 */
export const AUTOVACUUM_DEFAULTS = {
  vacuumThreshold: 50,
  vacuumScaleFactor: 0.2,
  insertThreshold: 1000,
  insertScaleFactor: 0.2,
  analyzeThreshold: 50,
  analyzeScaleFactor: 0.1,
  freezeMaxAge: 200_000_000,
};
export type AutovacuumPolicy = typeof AUTOVACUUM_DEFAULTS;

export interface TableDue {
  /** Schema-qualified and quoted, ready for SQL. */
  table: string;
  vacuum: boolean;
  /** Its oldest unfrozen transaction id is past `freezeMaxAge`: VACUUM (FREEZE) it. */
  freeze: boolean;
  analyze: boolean;
}

interface TableStats {
  table: string;
  catalog: boolean;
  dead: number;
  inserted: number;
  modified: number;
  tuples: number;
  xid_age: number;
}

/** The tables of the database (ours and the system's) that are due a VACUUM or an ANALYZE. */
export async function tablesDue(db: Db, policy: AutovacuumPolicy = AUTOVACUUM_DEFAULTS): Promise<TableDue[]> {
  // Row counts reach the statistics views at most once a second; count this sweep's deletes now.
  await sql`select pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<TableStats>`
    select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as table, n.nspname <> 'public' as catalog,
      coalesce(s.n_dead_tup, 0)::float8 as dead, coalesce(s.n_ins_since_vacuum, 0)::float8 as inserted,
      coalesce(s.n_mod_since_analyze, 0)::float8 as modified, greatest(c.reltuples, 0)::float8 as tuples,
      age(c.relfrozenxid)::float8 as xid_age
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    left join pg_stat_all_tables s on s.relid = c.oid
    where c.relkind in ('r', 'm') and c.relpersistence = 'p' and n.nspname <> 'pg_toast'
    order by c.oid`.execute(db);
  const due: TableDue[] = [];
  for (const row of rows) {
    const freeze = row.xid_age > policy.freezeMaxAge;
    const vacuum = freeze || row.dead > policy.vacuumThreshold + policy.vacuumScaleFactor * row.tuples
      || row.inserted > policy.insertThreshold + policy.insertScaleFactor * row.tuples;
    // Statistics for our own tables; the system's are small and change with migrations only.
    const analyze = !row.catalog && row.modified > policy.analyzeThreshold + policy.analyzeScaleFactor * row.tuples;
    if (vacuum || analyze) due.push({ table: row.table, vacuum, freeze, analyze });
  }
  return due;
}

/**
 * Autovacuum for the embedded database. PGlite runs PostgreSQL in single-user mode, where no
 * autovacuum runs: without this, the space of every deleted or updated row (expired flows and
 * sessions, counters, protocol artifacts) is never reused, so `./data` only grows; the planner's
 * statistics are never refreshed; and transaction ids are never frozen, so after about two billion
 * write transactions PostgreSQL would refuse every write to protect itself from wraparound.
 *
 * Runs the VACUUM and ANALYZE that autovacuum would, one table at a time with an event-loop turn
 * between (a statement on the embedded database runs on the main thread). A PostgreSQL server
 * runs its own autovacuum and never calls this. Returns the tables it worked on.
 */
export async function vacuumEmbeddedDatabase(db: Db, policy: AutovacuumPolicy = AUTOVACUUM_DEFAULTS): Promise<TableDue[]> {
  const due = await tablesDue(db, policy);
  for (const { table, vacuum, freeze, analyze } of due) {
    await nextTurn();
    const options = [freeze && 'freeze', vacuum && analyze && 'analyze'].filter(Boolean);
    const command = !vacuum ? 'analyze' : options.length ? `vacuum (${options.join(', ')})` : 'vacuum';
    // `table` comes from pg_class through quote_ident, never from a request.
    await sql`${sql.raw(command)} ${sql.raw(table)}`.execute(db);
  }
  return due;
}

/**
 * Freezes the embedded cluster's template databases when their oldest transaction id is past
 * `freezeMaxAge`, and returns the handle to use from then on. PostgreSQL stops accepting writes
 * as the oldest database of the cluster nears wraparound, and an open embedded database reaches
 * only its own (which the sweep freezes), so this runs when the server opens it: each template is
 * opened on its own for one VACUUM (FREEZE), then the default database again, about a quarter of a second, once per 200 million
 * transactions. `template0` takes no connections; it is allowed one for the duration.
 */
export async function freezeEmbeddedTemplates(
  pglite: PGlite,
  open: (database?: string) => Promise<PGlite>,
  freezeMaxAge = AUTOVACUUM_DEFAULTS.freezeMaxAge,
): Promise<{ pglite: PGlite; frozen: string[] }> {
  const { rows } = await pglite.query<{ datname: string }>(
    `select datname from pg_database where datname <> current_database() and age(datfrozenxid) > $1 order by datname`, [freezeMaxAge]);
  const frozen = rows.map((row) => row.datname);
  if (!frozen.length) return { pglite, frozen };
  await pglite.exec('alter database template0 allow_connections true');
  await pglite.close();
  try {
    for (const database of frozen) {
      const template = await open(database);
      try {
        await template.exec('vacuum (freeze)');
      } finally {
        await template.close();
      }
    }
  } finally {
    pglite = await open();
    await pglite.exec('alter database template0 allow_connections false');
  }
  return { pglite, frozen };
}
