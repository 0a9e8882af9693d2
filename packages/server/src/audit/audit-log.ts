import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../db/schema.js';

/** Audit event types written today; later features add theirs here. */
export type AuditEventType =
  | 'signin.succeeded'
  | 'signin.failed'
  | 'signin.throttled'
  | 'signin.blocked'
  | 'signin.unblocked'
  | 'user.registered'
  | 'user.registration_attempt_existing'
  | 'user.email_verified'
  | 'user.email_change_requested'
  | 'user.email_changed'
  | 'user.password_changed'
  | 'user.password_reset'
  | 'user.password_reset_requested'
  | 'user.password_rehashed'
  | 'user.deleted'
  | 'user.disabled'
  | 'user.enabled'
  | 'session.created'
  | 'session.revoked'
  | 'token.issued'
  | 'refresh_token.reuse_detected'
  | 'session.ended'
  | 'key.created'
  | 'key.rotated'
  | 'config.applied'
  | 'tenant.created'
  | 'user.created'
  | 'user.password_set'
  | 'user.imported'
  | 'user.updated'
  | 'application.created'
  | 'application.secret_added'
  | 'application.secret_removed'
  | 'application.secret_expiring'
  | 'application.certificate_expiring'
  | 'device_code.throttled'
  | 'logout.backchannel_sent'
  | 'logout.backchannel_failed'
  | 'consent.revoked'
  | 'consent.admin_granted'
  | 'consent.admin_revoked'
  // Sign-in factors (docs/mfa.md); `data.method` names the factor.
  | 'mfa.enrolled'
  | 'mfa.removed'
  | 'mfa.used'
  | 'mfa.failed'
  | 'mfa.enrolment_refused'
  | 'mfa.recovery_code_used'
  | 'mfa.recovery_codes_generated'
  | 'mfa.step_up_required'
  /** An emailed sign-in link was approved from another device than the one that asked (identity/factors/email-link.ts). */
  | 'mfa.link_approved'
  | 'device.remembered'
  | 'device.forgotten';

export interface AuditEvent {
  tenantId: string | null;
  type: AuditEventType;
  outcome?: 'success' | 'failure';
  /** Who did it: a user id, a client id, or `cli` / `config`. */
  actor?: string | null;
  /** What it was done to: a user id, a key id… */
  subject?: string | null;
  clientId?: string | null;
  correlationId?: string | null;
  /** Details; never a secret, a password or a token. */
  data?: Record<string, unknown>;
}

/**
 * Appends one audit event. Pass the transaction that makes the change it records, so the
 * change and its record commit together (the table itself refuses updates and deletes).
 */
export async function recordAuditEvent(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  await recordAuditEvents(db, [event]);
}

/**
 * Appends several events in one statement. The rows travel as one JSON parameter expanded by
 * jsonb_to_recordset: on the embedded database that costs about half as much per row as a
 * VALUES list with eight parameters a row, and it is the same SQL on both databases.
 */
export async function recordAuditEvents(db: Kysely<Database>, events: AuditEvent[]): Promise<void> {
  if (!events.length) return;
  await auditEventsInsert(events).execute(db);
}

/**
 * The INSERT of {@link recordAuditEvents} as an expression, so that a statement that makes a
 * change can carry its audit rows in a data-modifying CTE (one statement, one commit).
 */
export function auditEventsInsert(events: AuditEvent[]): RawBuilder<Record<string, never>> {
  const rows = events.map((event) => ({
    tenant_id: event.tenantId,
    type: event.type,
    outcome: event.outcome ?? 'success',
    actor: event.actor ?? null,
    subject: event.subject ?? null,
    client_id: event.clientId ?? null,
    correlation_id: event.correlationId ?? null,
    data: event.data ?? {},
  }));
  return sql<Record<string, never>>`insert into audit_events (tenant_id, type, outcome, actor, subject, client_id, correlation_id, data)
    select tenant_id, type, outcome, actor, subject, client_id, correlation_id, data
    from jsonb_to_recordset(${toJsonText(rows)}::jsonb)
      as r(tenant_id text, type text, outcome text, actor text, subject text, client_id text, correlation_id text, data jsonb)`;
}

/** JSON for jsonb, which refuses NUL: it becomes U+FFFD, so one odd value cannot fail a batch. */
function toJsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll('\\u0000', '\\ufffd');
}
