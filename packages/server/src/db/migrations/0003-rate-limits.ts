import { type Kysely } from 'kysely';

/**
 * Rate-limit counters of the database store (src/security/rate-limits/database-rate-limiter.ts),
 * the same shape as rate-limiter-flexible's own PostgreSQL table: one row per key, `points`
 * consumed in the current window, `expire` in epoch milliseconds (null: never expires).
 * Keys hold hashes, never a raw email or address.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  // The sweeper deletes expired rows by this column.
  await db.schema.createIndex('rate_limits_expire').on('rate_limits').column('expire').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').ifExists().execute();
}
