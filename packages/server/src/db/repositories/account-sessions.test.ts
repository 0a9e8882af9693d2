import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { AuditEvent } from '../../audit/audit-log.js';
import type { DatabaseHandle } from '../database.js';
import { createAccountSessionRepository } from './account-sessions.js';
import { createTenantRepository } from './tenants.js';
import { createUserRepository, type User } from './users.js';

let database: DatabaseHandle;
let ada: User;
let bob: User;
const t0 = new Date('2026-05-01T10:00:00Z');

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-sessions-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  const users = createUserRepository(database.db);
  const input = { emailVerified: true, name: null, passwordHash: null, roles: [] };
  ada = await users.insert('acme', { ...input, username: 'ada', email: 'ada@acme.test' });
  bob = await users.insert('acme', { ...input, username: 'bob', email: 'bob@acme.test' });
});
afterAll(() => database.close());

const audit = (user: User, correlationId: string): AuditEvent[] => [
  { tenantId: 'acme', type: 'signin.succeeded', actor: user.id, subject: user.id, correlationId, data: { method: 'password' } },
  { tenantId: 'acme', type: 'session.created', actor: user.id, subject: user.id, correlationId, data: { amr: ['pwd'] } },
];

function insert(user: User, options: { now: Date; signedIn?: boolean; audit?: AuditEvent[]; userId?: string }) {
  return createAccountSessionRepository(database.db).insert({
    tenantId: 'acme', userId: options.userId ?? user.id, securityStamp: user.securityStamp, amr: ['pwd'], now: options.now,
    lifetimeSeconds: 3600, ip: '127.0.0.1', userAgent: 'test', signedIn: options.signedIn, audit: options.audit,
  });
}

const lastSignIn = async (user: User) => (await createUserRepository(database.db).find('acme', user.id))?.lastSignInAt;
const auditRows = (correlationId: string) =>
  database.db.selectFrom('audit_events').select(['type', 'subject']).where('correlation_id', '=', correlationId).orderBy('id').execute();

describe('account sessions', () => {
  it('inserts the session, stamps last_sign_in_at and appends the audit rows in one statement', async () => {
    expect(await lastSignIn(ada)).toBeNull();
    const { token, session } = await insert(ada, { now: t0, signedIn: true, audit: audit(ada, 'c-1') });
    expect(await createAccountSessionRepository(database.db).findActive('acme', token, t0)).toMatchObject({ id: session.id, userId: ada.id });
    expect((await lastSignIn(ada))?.toISOString()).toBe(t0.toISOString());
    expect(await auditRows('c-1')).toEqual([
      { type: 'signin.succeeded', subject: ada.id },
      { type: 'session.created', subject: ada.id },
    ]);
  });

  it('leaves last_sign_in_at alone for a session that is not a sign-in', async () => {
    const later = new Date(t0.getTime() + 60_000);
    await insert(bob, { now: later, audit: [audit(bob, 'c-2')[1]!] });
    expect(await lastSignIn(bob)).toBeNull();
    expect(await auditRows('c-2')).toEqual([{ type: 'session.created', subject: bob.id }]);
    await insert(ada, { now: later });
    expect((await lastSignIn(ada))?.toISOString()).toBe(t0.toISOString());
  });

  it('commits nothing when the session cannot be stored', async () => {
    const sessionsBefore = await database.db.selectFrom('account_sessions').select('id').execute();
    // An unknown user: the session's foreign key fails, so neither the stamp nor the audit rows land.
    await expect(insert(bob, { now: t0, signedIn: true, audit: audit(bob, 'c-3'), userId: '00000000-0000-4000-8000-000000000000' }))
      .rejects.toThrow();
    expect(await database.db.selectFrom('account_sessions').select('id').execute()).toHaveLength(sessionsBefore.length);
    expect(await auditRows('c-3')).toEqual([]);
    expect(await lastSignIn(bob)).toBeNull();
  });
});
