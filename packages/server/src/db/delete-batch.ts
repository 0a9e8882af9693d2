import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Db } from './database.js';
import type { Database } from './schema.js';

/**
 * Deletes at most `limit` rows of `table` that `where` selects, in one statement, and returns
 * how many went. The periodic sweeper calls it until a batch comes back short, so a backlog of
 * expired rows never holds the embedded database (and with it the event loop) for longer than
 * one batch. Rows are picked by `ctid` (PostgreSQL's physical row address), which every table
 * has whatever its key; a row changed by another node between the pick and the delete is
 * skipped and taken by the next sweep.
 */
export async function deleteBatch<T extends keyof Database & string>(
  db: Db,
  table: T,
  where: (eb: ExpressionBuilder<Database, T>) => Expression<SqlBool>,
  limit: number,
): Promise<number> {
  // Kysely cannot follow a generic table name through its builders, so one table stands in
  // for the types; the statement names `table`.
  const picked = db.selectFrom(table as 'flows').select(sql<string>`ctid`.as('ctid')).where(where as never).limit(limit);
  const result = await db.deleteFrom(table as 'flows')
    .where(sql<boolean>`ctid = any(array(${picked}))`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Rows a sweep deletes per statement: about 2 ms of the embedded database's time each. */
export const DELETE_BATCH_ROWS = 1000;

/** `now` minus whole days (24 h each), for retention periods. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
