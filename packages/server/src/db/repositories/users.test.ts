import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../database.js';
import { createFactorRepository } from './factors.js';
import { createTenantRepository } from './tenants.js';
import { createUserRepository, type User } from './users.js';

let database: DatabaseHandle;
let ada: User;
const now = new Date('2026-05-01T10:00:00Z');

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-users-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  const users = createUserRepository(database.db);
  const input = { emailVerified: true, name: null, passwordHash: null, roles: [] };
  ada = await users.insert('acme', { ...input, username: 'ada', email: 'Ada@Acme.test' });
  await users.insert('acme', { ...input, username: 'bob', email: 'bob@acme.test' });
  const factors = createFactorRepository(database.db);
  const factor = { tenantId: 'acme', userId: ada.id, name: 'f', now };
  await factors.insert({ ...factor, kind: 'totp', confirmed: true });
  await factors.insert({ ...factor, kind: 'totp', confirmed: true });
  await factors.insert({ ...factor, kind: 'passkey', confirmed: false });
});
afterAll(() => database.close());

describe('users.findForSignIn', () => {
  it('finds the user findByLogin finds, with the kinds of factor they confirmed', async () => {
    const users = createUserRepository(database.db);
    const found = await users.findForSignIn('acme', ' ADA@acme.TEST ', ['email']);
    expect(found).toEqual({ ...(await users.findByLogin('acme', 'ada@acme.test', ['email'])), confirmedFactorKinds: ['totp'] });
    expect((await users.findForSignIn('acme', 'bob', ['username']))?.confirmedFactorKinds).toEqual([]);
  });

  it('honours the allowed identifiers and the tenant', async () => {
    const users = createUserRepository(database.db);
    expect(await users.findForSignIn('acme', 'ada', ['email'])).toBeUndefined();
    expect(await users.findForSignIn('acme', 'ada', [])).toBeUndefined();
    expect(await users.findForSignIn('other', 'ada', ['username'])).toBeUndefined();
    expect(await users.findForSignIn('acme', 'ada\0', ['username'])).toBeUndefined();
  });
});
