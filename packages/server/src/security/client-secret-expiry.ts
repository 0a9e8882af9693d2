import type { Kysely } from 'kysely';
import type { AuditEventType } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { notWarnedOf, writeExpiryWarnings } from './expiry-warnings.js';

/** Generated secrets stop working after about six months unless asked otherwise. */
export const DEFAULT_SECRET_LIFETIME_DAYS = 182;
/** How long before its expiry a secret is reported as expiring (one audit event). */
export const SECRET_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;
/** Arbitrary constant: one sweep at a time writes warnings, so each secret is warned of once. */
const WARNING_LOCK = 7_305_310_042;
const WARNING: AuditEventType = 'application.secret_expiring';

export interface ExpiringSecret {
  secretId: string;
  tenantId: string;
  clientId: string;
  hint: string;
  description: string | null;
  expiresAt: Date;
}

/** Secrets that expire within the next 30 days, are not expired yet and were not warned of (expiry-warnings.ts). */
export async function findExpiringSecrets(db: Kysely<Database>, now: Date): Promise<ExpiringSecret[]> {
  const horizon = new Date(now.getTime() + SECRET_EXPIRY_WARNING_DAYS * DAY_MS);
  const rows = await db.selectFrom('application_secrets as s')
    .innerJoin('applications as a', 'a.id', 's.application_id')
    .select(['s.id', 'a.tenant_id', 'a.client_id', 's.hint', 's.description', 's.expires_at'])
    .where('s.expires_at', '>', now)
    .where('s.expires_at', '<=', horizon)
    .where(notWarnedOf(WARNING, SECRET_EXPIRY_WARNING_DAYS, { tenant: 'a.tenant_id', subject: 's.id', expiry: 's.expires_at' }))
    .orderBy('s.expires_at')
    .execute();
  return rows.map((row) => ({
    secretId: row.id, tenantId: row.tenant_id, clientId: row.client_id, hint: row.hint,
    description: row.description, expiresAt: row.expires_at as Date,
  }));
}

/**
 * Writes one `application.secret_expiring` audit event per secret entering its last 30 days,
 * for the periodic sweep (start-server.ts). An advisory lock keeps two nodes from warning twice.
 * Returns the secrets warned of.
 */
export async function warnOfExpiringSecrets(db: Kysely<Database>, now: Date): Promise<ExpiringSecret[]> {
  return writeExpiryWarnings(db, now, {
    lock: WARNING_LOCK, type: WARNING, find: (trx) => findExpiringSecrets(trx, now),
    warning: (secret) => ({
      tenantId: secret.tenantId, subject: secret.secretId, clientId: secret.clientId,
      data: { hint: secret.hint, description: secret.description, expiresAt: secret.expiresAt.toISOString() },
    }),
  });
}
