import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../database.js';
import { createAccountTokenRepository, newLinkToken } from './account-tokens.js';
import { createTenantRepository } from './tenants.js';
import { createUserRepository, type User } from './users.js';

let database: DatabaseHandle;
let user: User;
const t0 = new Date('2026-05-01T10:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-tokens-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  user = await createUserRepository(database.db).insert('acme', {
    username: 'ada', email: 'ada@acme.test', emailVerified: true, name: null, passwordHash: null, roles: [],
  });
});
afterAll(() => database.close());

async function issue(purpose: 'reset_password' | 'verify_email', expiresAt: Date) {
  const secret = newLinkToken();
  await createAccountTokenRepository(database.db).insert({
    tenantId: 'acme', userId: user.id, purpose, secret, securityStamp: user.securityStamp, expiresAt,
  });
  return secret;
}

describe('account tokens (emailed links and codes)', () => {
  it('stores only a hash of the token', async () => {
    const secret = await issue('reset_password', minutes(15));
    const rows = await database.db.selectFrom('account_tokens').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash).join()).not.toContain(secret);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('is usable until it expires, and not a moment after', async () => {
    const tokens = createAccountTokenRepository(database.db);
    const secret = await issue('reset_password', minutes(15));
    expect(await tokens.findUsable('acme', 'reset_password', secret, minutes(14))).toMatchObject({ userId: user.id });
    expect(await tokens.findUsable('acme', 'reset_password', secret, minutes(15))).toBeUndefined();
    expect(await tokens.consume('acme', 'reset_password', secret, minutes(16))).toBeUndefined();
  });

  it('is single-use, for its own purpose and tenant only', async () => {
    const tokens = createAccountTokenRepository(database.db);
    const secret = await issue('verify_email', minutes(60));
    expect(await tokens.consume('other', 'verify_email', secret, t0)).toBeUndefined();
    expect(await tokens.consume('acme', 'reset_password', secret, t0)).toBeUndefined();
    expect(await tokens.consume('acme', 'verify_email', secret, t0)).toMatchObject({ userId: user.id, securityStamp: user.securityStamp });
    expect(await tokens.consume('acme', 'verify_email', secret, t0)).toBeUndefined();
  });

  it('lets exactly one of many concurrent consumers win', async () => {
    const tokens = createAccountTokenRepository(database.db);
    const secret = await issue('reset_password', minutes(15));
    const results = await Promise.all(Array.from({ length: 8 }, () => tokens.consume('acme', 'reset_password', secret, t0)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('voids outstanding tokens of a user, and sweeps rows a day after they expired', async () => {
    const tokens = createAccountTokenRepository(database.db);
    const secret = await issue('reset_password', minutes(15));
    await tokens.revokeForUser(user.id, ['reset_password'], t0);
    expect(await tokens.findUsable('acme', 'reset_password', secret, t0)).toBeUndefined();
    const before = await database.db.selectFrom('account_tokens').select('id').execute();
    expect(await tokens.sweep(minutes(24 * 60 + 10))).toBe(0);
    expect(await tokens.sweep(minutes(24 * 60 + 90))).toBe(before.length);
  });
});
