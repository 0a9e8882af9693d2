import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the periodic sweep (server/sweeper.ts), so finding what to delete is an index
 * range scan instead of reading the whole table every minute: expired account sessions and
 * remembered devices, and factor enrolments never confirmed (a partial index: confirmed
 * factors, nearly all of them, never enter it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('account_sessions_expires').on('account_sessions').column('expires_at').execute();
  await db.schema.createIndex('remembered_devices_expires').on('remembered_devices').column('expires_at').execute();
  await sql`create index user_factors_pending on user_factors (created_at) where not confirmed`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['user_factors_pending', 'remembered_devices_expires', 'account_sessions_expires']) {
    await db.schema.dropIndex(index).execute();
  }
}
