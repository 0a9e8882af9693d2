import { sql, type Kysely } from 'kysely';
import type { AuditEventType } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';

/** The warning an expiring credential gets: one audit event, once. */
export interface ExpiryWarning {
  tenantId: string;
  subject: string;
  clientId: string;
  data: Record<string, unknown>;
}

/**
 * A filter for credentials not warned of yet: no `type` event for `subject` in the tenant since
 * the warning window opened (`expiry - days`). One probe of the partial index
 * `audit_events_expiry_warnings` (migration 0010), which holds only warning events; a new
 * warning type must be added to that index's predicate.
 */
export function notWarnedOf(type: AuditEventType, days: number, refs: { tenant: string; subject: string; expiry: string }) {
  // The references are fixed column names chosen by the callers, never input. The type is a
  // literal, not a parameter, so the planner can prove the partial index's predicate.
  return sql<boolean>`not exists (select 1 from audit_events e
    where e.tenant_id = ${sql.ref(refs.tenant)}
      and e.subject = ${sql.ref(refs.subject)}::text
      and e.type = ${sql.lit(type)}
      and e.created_at >= ${sql.ref(refs.expiry)} - ${`${days} days`}::interval)`;
}

/**
 * Writes one `type` audit event per credential `find` returns, for the periodic sweep
 * (start-server.ts). A transaction-scoped advisory lock keeps two nodes from warning twice.
 * Returns what was warned of.
 */
export async function writeExpiryWarnings<T>(db: Kysely<Database>, now: Date, options: {
  lock: number;
  type: AuditEventType;
  find: (trx: Kysely<Database>) => Promise<T[]>;
  warning: (item: T) => ExpiryWarning;
}): Promise<T[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${options.lock}::bigint)`.execute(trx);
    const expiring = await options.find(trx);
    if (!expiring.length) return expiring;
    await trx.insertInto('audit_events').values(expiring.map((item) => {
      const warning = options.warning(item);
      return {
        tenant_id: warning.tenantId, type: options.type, outcome: 'success', actor: 'system',
        subject: warning.subject, client_id: warning.clientId, created_at: now, data: JSON.stringify(warning.data),
      };
    })).execute();
    return expiring;
  });
}
