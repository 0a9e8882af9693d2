import { sql, type Kysely } from 'kysely';
import type { AuditEventType } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';

/** How long before its `notAfter` a certificate is reported as expiring (one audit event), as for secrets. */
export const CERTIFICATE_EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;
/** Arbitrary constant: one sweep at a time writes warnings, so each certificate is warned of once. */
const WARNING_LOCK = 7_305_310_043;
const WARNING: AuditEventType = 'application.certificate_expiring';

export interface ExpiringCertificate {
  certificateId: string;
  tenantId: string;
  clientId: string;
  thumbprintSha256: string;
  notAfter: Date;
}

/**
 * Certificates whose `notAfter` falls within the next 30 days, not expired yet, with no
 * `application.certificate_expiring` event. As in client-secret-expiry.ts, the warning is written
 * with `created_at = now` inside the window, so the look-up reads only the events since it opened.
 * Bare JWKs have no expiry and are never reported.
 */
export async function findExpiringCertificates(db: Kysely<Database>, now: Date): Promise<ExpiringCertificate[]> {
  const horizon = new Date(now.getTime() + CERTIFICATE_EXPIRY_WARNING_DAYS * DAY_MS);
  const rows = await db.selectFrom('application_certificates as c')
    .innerJoin('applications as a', 'a.id', 'c.application_id')
    .select(['c.id', 'a.tenant_id', 'a.client_id', 'c.thumbprint_sha256', 'c.not_after'])
    .where('c.not_after', '>', now)
    .where('c.not_after', '<=', horizon)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('audit_events as e').select(sql`1`.as('one'))
      .whereRef('e.tenant_id', '=', 'a.tenant_id')
      .where('e.created_at', '>=', sql<Date>`c.not_after - ${`${CERTIFICATE_EXPIRY_WARNING_DAYS} days`}::interval`)
      .where('e.type', '=', WARNING)
      .where('e.subject', '=', sql<string>`c.id::text`))))
    .orderBy('c.not_after')
    .execute();
  return rows.map((row) => ({
    certificateId: row.id, tenantId: row.tenant_id, clientId: row.client_id,
    thumbprintSha256: row.thumbprint_sha256, notAfter: row.not_after as Date,
  }));
}

/**
 * Writes one `application.certificate_expiring` audit event per certificate entering its last
 * 30 days, for the periodic sweep (start-server.ts). An advisory lock keeps two nodes from warning
 * twice. Returns the certificates warned of. An expired certificate is refused at the token
 * endpoint (provider/client-metadata.ts leaves it out of the client's keys).
 */
export async function warnOfExpiringCertificates(db: Kysely<Database>, now: Date): Promise<ExpiringCertificate[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${WARNING_LOCK}::bigint)`.execute(trx);
    const expiring = await findExpiringCertificates(trx, now);
    if (!expiring.length) return expiring;
    await trx.insertInto('audit_events').values(expiring.map((certificate) => ({
      tenant_id: certificate.tenantId, type: WARNING, outcome: 'success', actor: 'system',
      subject: certificate.certificateId, client_id: certificate.clientId, created_at: now,
      data: JSON.stringify({ thumbprintSha256: certificate.thumbprintSha256, notAfter: certificate.notAfter.toISOString() }),
    }))).execute();
    return expiring;
  });
}
