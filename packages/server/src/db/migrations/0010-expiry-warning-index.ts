import { sql, type Kysely } from 'kysely';

/**
 * The look-up "was this credential warned of already?" (security/expiry-warnings.ts) as an
 * index probe. Before, it read every audit event of the tenant since the credential's warning
 * window opened (index `audit_events_tenant_time`), at each sweep: for a secret born inside its
 * window (a 7-day secret) that is weeks of token events, every minute. The index is partial, so
 * the audit rows written on every token and sign-in never enter it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index audit_events_expiry_warnings on audit_events (tenant_id, subject, type, created_at)
    where type in ('application.secret_expiring', 'application.certificate_expiring')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index audit_events_expiry_warnings`.execute(db);
}
