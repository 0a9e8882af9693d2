import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../db/database.js';
import { createApplicationRepository } from '../db/repositories/applications.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { findExpiringCertificates, warnOfExpiringCertificates } from './certificate-expiry.js';

const DAY = 86_400_000;
/** The injected clock: far from the real one, so nothing here depends on when the test runs. */
const T = new Date('2031-03-01T12:00:00Z');
const at = (days: number) => new Date(T.getTime() + days * DAY);

let database: DatabaseHandle;
let applicationId: string;
/** Certificate ids by name; the name is also the stored thumbprint, so results read by name. */
const ids: Record<string, string> = {};

async function addCertificate(name: string, notAfter: Date | null): Promise<string> {
  const id = await createApplicationRepository(database.db).insertCertificate(applicationId, {
    jwk: { kty: 'EC', kid: name }, thumbprintSha1: `sha1-${name}`, thumbprintSha256: name, notAfter, pem: notAfter ? `PEM ${name}` : null,
  });
  ids[name] = id;
  return id;
}

const warned = async (now: Date) => (await warnOfExpiringCertificates(database.db, now)).map((cert) => cert.thumbprintSha256).sort();

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-certificate-expiry-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  applicationId = (await createApplicationRepository(database.db).insert('acme', {
    clientId: 'nightly', name: 'Nightly', type: 'daemon', redirectUris: [], postLogoutRedirectUris: [],
    permissions: [], appRoles: [], idTokenSigningAlg: 'ES256',
  })).id;
  await addCertificate('in-10-days', at(10));
  await addCertificate('in-30-days', at(30));
  await addCertificate('in-40-days', at(40));
  await addCertificate('expired', at(-1));
  await addCertificate('bare-jwk', null);
});
afterAll(async () => {
  await database.close();
});

describe('certificates about to expire', () => {
  it('finds certificates whose notAfter is within 30 days, not expired ones or bare JWKs', async () => {
    const found = await findExpiringCertificates(database.db, T);
    expect(found.map((cert) => cert.thumbprintSha256)).toEqual(['in-10-days', 'in-30-days']);
    expect(found[0]).toEqual({ certificateId: ids['in-10-days'], tenantId: 'acme', clientId: 'nightly', thumbprintSha256: 'in-10-days', notAfter: at(10) });
  });

  it('writes one application.certificate_expiring event per certificate, once, as the clock moves on', async () => {
    expect(await warned(T)).toEqual(['in-10-days', 'in-30-days']);
    expect(await warned(T)).toEqual([]);
    expect(await warned(at(9.99))).toEqual([]);
    expect(await warned(at(10.5))).toEqual(['in-40-days']);
    expect(await warned(at(11))).toEqual([]);

    const events = await database.db.selectFrom('audit_events').selectAll()
      .where('type', '=', 'application.certificate_expiring').orderBy('created_at').orderBy('id').execute();
    expect(events.map((event) => event.subject)).toEqual([ids['in-10-days'], ids['in-30-days'], ids['in-40-days']]);
    expect(events[2]).toMatchObject({ tenant_id: 'acme', client_id: 'nightly', actor: 'system', outcome: 'success', created_at: at(10.5) });
    expect(events[2]?.data).toEqual({ thumbprintSha256: 'in-40-days', notAfter: at(40).toISOString() });
  });

  it('warns once when two sweeps run at the same moment', async () => {
    await addCertificate('in-50-days', at(50));
    const [first, second] = await Promise.all([warnOfExpiringCertificates(database.db, at(25)), warnOfExpiringCertificates(database.db, at(25))]);
    expect([...first, ...second].map((cert) => cert.thumbprintSha256)).toEqual(['in-50-days']);
  });

  it('warns of a new certificate for the same application on its own', async () => {
    await addCertificate('replacement', at(30));
    expect(await warned(at(26))).toEqual(['replacement']);
    expect(await warned(at(27))).toEqual([]);
  });
});
