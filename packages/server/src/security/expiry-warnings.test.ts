import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../db/database.js';
import { createApplicationRepository } from '../db/repositories/applications.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { notWarnedOf } from './expiry-warnings.js';

let database: DatabaseHandle;
const DAY = 86_400_000;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-expiry-warnings-');
  const { db } = database;
  await createTenantRepository(db).insert({ id: 'acme', name: 'Acme' });
  const app = (await createApplicationRepository(db).insert('acme', {
    clientId: 'nightly', name: 'Nightly', type: 'daemon', redirectUris: [], postLogoutRedirectUris: [],
    permissions: [], appRoles: [], idTokenSigningAlg: 'ES256',
  })).id;
  // A weekly secret: born inside its 30-day warning window, after three weeks of token events.
  await createApplicationRepository(db).insertSecret(app, { hash: 'a'.repeat(64), hint: '…abcd', description: 'weekly', expiresAt: new Date(Date.now() + 7 * DAY) });
  await sql`insert into audit_events (tenant_id, type, outcome, actor, subject, client_id, created_at)
    select 'acme', 'token.issued', 'success', 'nightly', 'nightly', 'nightly', now() - interval '23 days' + g * interval '1 minute'
    from generate_series(1, 20000) g`.execute(db);
  await sql`analyze audit_events`.execute(db);
});
afterAll(async () => {
  await database?.close();
});

describe('notWarnedOf', () => {
  const query = (type: 'application.secret_expiring' | 'application.certificate_expiring') => database.db
    .selectFrom('application_secrets as s').innerJoin('applications as a', 'a.id', 's.application_id').select('s.id')
    .where(notWarnedOf(type, 30, { tenant: 'a.tenant_id', subject: 's.id', expiry: 's.expires_at' }));

  it("probes the warning events' own index instead of reading the tenant's events since the window opened", async () => {
    for (const type of ['application.secret_expiring', 'application.certificate_expiring'] as const) {
      const plan = JSON.stringify(await query(type).explain('json'));
      expect(plan).toContain('audit_events_expiry_warnings');
      expect(plan).not.toContain('audit_events_tenant_time');
      expect(plan).not.toMatch(/"Relation Name":"audit_events"[^}]*"Node Type":"Seq Scan"|"Node Type":"Seq Scan"[^}]*"Relation Name":"audit_events"/);
    }
  });

  it('still tells warned from unwarned', async () => {
    expect(await query('application.secret_expiring').execute()).toHaveLength(1);
    const secret = await database.db.selectFrom('application_secrets').select('id').executeTakeFirstOrThrow();
    await database.db.insertInto('audit_events').values({
      tenant_id: 'acme', type: 'application.secret_expiring', outcome: 'success', actor: 'system', subject: secret.id, client_id: 'nightly', data: JSON.stringify({}),
    }).execute();
    expect(await query('application.secret_expiring').execute()).toEqual([]);
    expect(await query('application.certificate_expiring').execute()).toHaveLength(1);
  });
});
