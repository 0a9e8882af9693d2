import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../db/database.js';
import { createApplicationRepository } from '../db/repositories/applications.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { findExpiringSecrets, warnOfExpiringSecrets } from './client-secret-expiry.js';
import { generateClientSecret, hashClientSecret, secretHint } from './client-secrets.js';

const DAY = 86_400_000;
/** The injected clock: far from the real one, so nothing here depends on when the test runs. */
const T = new Date('2031-03-01T12:00:00Z');
const at = (days: number) => new Date(T.getTime() + days * DAY);

let database: DatabaseHandle;
let applicationId: string;
const ids: Record<string, string> = {};

async function addSecret(name: string, expiresAt: Date | null, app = applicationId): Promise<string> {
  const secret = generateClientSecret();
  const id = await createApplicationRepository(database.db).insertSecret(app, {
    hash: hashClientSecret(secret), hint: secretHint(secret), description: name, expiresAt,
  });
  ids[name] = id;
  return id;
}

const warned = async (now: Date) => (await warnOfExpiringSecrets(database.db, now)).map((secret) => secret.description).sort();

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-secret-expiry-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  applicationId = (await createApplicationRepository(database.db).insert('acme', {
    clientId: 'nightly', name: 'Nightly', type: 'daemon', redirectUris: [], postLogoutRedirectUris: [],
    permissions: [], appRoles: [], idTokenSigningAlg: 'ES256',
  })).id;
  await addSecret('in-10-days', at(10));
  await addSecret('in-30-days', at(30));
  await addSecret('in-40-days', at(40));
  await addSecret('expired', at(-1));
  await addSecret('never', null);
});
afterAll(async () => {
  await database.close();
});

describe('secrets about to expire', () => {
  it('finds secrets expiring within 30 days, not expired ones or those without expiry', async () => {
    const found = await findExpiringSecrets(database.db, T);
    expect(found.map((secret) => secret.description)).toEqual(['in-10-days', 'in-30-days']);
    expect(found[0]).toMatchObject({ tenantId: 'acme', clientId: 'nightly', secretId: ids['in-10-days'], expiresAt: at(10) });
  });

  it('writes one application.secret_expiring event per secret, once, as the clock moves on', async () => {
    expect(await warned(T)).toEqual(['in-10-days', 'in-30-days']);
    expect(await warned(T)).toEqual([]);
    expect(await warned(at(5))).toEqual([]);
    expect(await warned(at(9.99))).toEqual([]);
    expect(await warned(at(10.5))).toEqual(['in-40-days']);
    expect(await warned(at(11))).toEqual([]);
    expect(await findExpiringSecrets(database.db, at(11))).toEqual([]);

    const events = await database.db.selectFrom('audit_events').selectAll()
      .where('type', '=', 'application.secret_expiring').orderBy('created_at').orderBy('id').execute();
    expect(events.map((event) => event.subject)).toEqual([ids['in-10-days'], ids['in-30-days'], ids['in-40-days']]);
    expect(events[2]).toMatchObject({ tenant_id: 'acme', client_id: 'nightly', actor: 'system', outcome: 'success', created_at: at(10.5) });
    expect(events[2]?.data).toEqual({ hint: expect.stringMatching(/^…[0-9A-Za-z]{4}$/), description: 'in-40-days', expiresAt: at(40).toISOString() });
  });

  it('warns once when two sweeps run at the same moment', async () => {
    await addSecret('in-50-days', at(50));
    const [first, second] = await Promise.all([warnOfExpiringSecrets(database.db, at(25)), warnOfExpiringSecrets(database.db, at(25))]);
    expect([...first, ...second].map((secret) => secret.description)).toEqual(['in-50-days']);
  });

  it('warns of a secret again only if it is another secret (a new one for the same app)', async () => {
    await addSecret('replacement', at(30));
    expect(await warned(at(26))).toEqual(['replacement']);
    expect(await warned(at(27))).toEqual([]);
  });
});
