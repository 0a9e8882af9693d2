import type { Kysely } from 'kysely';
import type { AuditEventType } from '../audit/audit-log.js';
import type { Database } from '../db/schema.js';
import { notWarnedOf, writeExpiryWarnings } from './expiry-warnings.js';

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
 * Certificates whose `notAfter` falls within the next 30 days, not expired yet and not warned of
 * (expiry-warnings.ts). Bare JWKs have no expiry and are never reported.
 */
export async function findExpiringCertificates(db: Kysely<Database>, now: Date): Promise<ExpiringCertificate[]> {
  const horizon = new Date(now.getTime() + CERTIFICATE_EXPIRY_WARNING_DAYS * DAY_MS);
  const rows = await db.selectFrom('application_certificates as c')
    .innerJoin('applications as a', 'a.id', 'c.application_id')
    .select(['c.id', 'a.tenant_id', 'a.client_id', 'c.thumbprint_sha256', 'c.not_after'])
    .where('c.not_after', '>', now)
    .where('c.not_after', '<=', horizon)
    .where(notWarnedOf(WARNING, CERTIFICATE_EXPIRY_WARNING_DAYS, { tenant: 'a.tenant_id', subject: 'c.id', expiry: 'c.not_after' }))
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
  return writeExpiryWarnings(db, now, {
    lock: WARNING_LOCK, type: WARNING, find: (trx) => findExpiringCertificates(trx, now),
    warning: (certificate) => ({
      tenantId: certificate.tenantId, subject: certificate.certificateId, clientId: certificate.clientId,
      data: { thumbprintSha256: certificate.thumbprintSha256, notAfter: certificate.notAfter.toISOString() },
    }),
  });
}
