import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/database.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { createApiRepository } from '../db/repositories/apis.js';
import { createSigningKeys, DEFAULT_KEY_RETENTION_SECONDS } from './signing-keys.js';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';

const HOUR = 3600_000;
let database: DatabaseHandle;
let now = Date.parse('2026-01-01T00:00:00Z');
const clock = () => now;
const masterKey = randomBytes(32);

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-keys-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
});
afterAll(async () => {
  await database.close();
});

const publicJwks = (keys: JWK[]) => ({ keys: keys.map(({ d, p, q, dp, dq, qi, ...pub }) => pub) });

describe('signing keys', () => {
  it('creates one ES256 and one RS256 key on first use, encrypted at rest, and nothing on the second call', async () => {
    const keys = createSigningKeys({ db: database.db, masterKey, clock });
    await keys.ensure('acme');
    await keys.ensure('acme');
    const listed = await keys.list('acme');
    expect(listed.map((k) => `${k.alg}:${k.state}`).sort()).toEqual(['ES256:active', 'RS256:active']);
    const rows = await database.db.selectFrom('signing_keys').selectAll().execute();
    for (const row of rows) {
      expect(row.private_jwk_encrypted).not.toContain('"d"');
      expect(row.public_jwk).not.toHaveProperty('d');
    }
  });

  it('refuses to decrypt with another master key', async () => {
    const other = createSigningKeys({ db: database.db, masterKey: randomBytes(32), clock });
    await expect(other.load('acme')).rejects.toThrow(/key_encryption\.wrong_key/);
  });

  it('publishes the next key first, signs with it after the delay, and drops the old one after the longest token lifetime', async () => {
    const keys = createSigningKeys({ db: database.db, masterKey, clock });
    const before = await keys.load('acme');
    const oldEs = before.keys.find((k) => k.alg === 'ES256')!;
    const tokenBefore = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: oldEs.kid })
      .setIssuedAt(now / 1000).setExpirationTime(now / 1000 + 5400).sign(await importJWK(oldEs, 'ES256'));

    const rotation = await keys.rotate('acme', { activationDelaySeconds: 3600 });
    expect(rotation.created).toHaveLength(2);

    // Published, not yet signing: the old key still comes first for its algorithm.
    const published = await keys.load('acme');
    expect(published.keys).toHaveLength(4);
    expect(published.keys.find((k) => k.alg === 'ES256')!.kid).toBe(oldEs.kid);
    expect(published.validUntil).toBe(now + HOUR);
    expect((await keys.list('acme')).filter((k) => k.state === 'pending')).toHaveLength(2);

    // After the delay the new key signs; the old one stays in the JWKS, so earlier tokens verify.
    now += HOUR + 1000;
    const active = await keys.load('acme');
    const signing = active.keys.find((k) => k.alg === 'ES256')!;
    expect(rotation.created).toContain(signing.kid);
    const verified = await jwtVerify(tokenBefore, createLocalJWKSet(publicJwks(active.keys)), { currentDate: new Date(now) });
    expect(verified.protectedHeader.kid).toBe(oldEs.kid);
    expect((await keys.list('acme')).filter((k) => k.state === 'retired')).toHaveLength(2);

    // Past the retention, the old key leaves the JWKS.
    now += DEFAULT_KEY_RETENTION_SECONDS * 1000;
    const later = await keys.load('acme');
    expect(later.keys.map((k) => k.kid)).not.toContain(oldEs.kid);
    expect(later.keys).toHaveLength(2);
  });

  it('lets an immediate rotation supersede a scheduled one: one signing key per algorithm', async () => {
    const keys = createSigningKeys({ db: database.db, masterKey, clock });
    await keys.rotate('acme', { activationDelaySeconds: 3600 });
    const second = await keys.rotate('acme', { activationDelaySeconds: 0 });
    const listed = await keys.list('acme');
    const active = listed.filter((k) => k.state === 'active');
    expect(active.map((k) => k.kid).sort()).toEqual([...second.created].sort());
    expect(listed.filter((k) => k.state === 'pending')).toEqual([]);
    const loaded = await keys.load('acme');
    expect(second.created).toContain(loaded.keys.find((k) => k.alg === 'ES256')!.kid);
    expect(second.created).toContain(loaded.keys.find((k) => k.alg === 'RS256')!.kid);
  });

  it('keeps a retired key as long as the longest API token lifetime', async () => {
    await createApiRepository(database.db).insert('acme', {
      identifier: 'api://long', name: 'Long', scopes: [], appRoles: [], accessTokenTtlSeconds: 24 * 3600, signingAlg: 'ES256',
    });
    const keys = createSigningKeys({ db: database.db, masterKey, clock });
    const rotation = await keys.rotate('acme', { activationDelaySeconds: 0 });
    expect(rotation.expiresAt.getTime() - rotation.activatesAt.getTime()).toBe((24 * 3600 + 300) * 1000);
    const audit = await database.db.selectFrom('audit_events').select('type').where('type', '=', 'key.rotated').execute();
    expect(audit.length).toBeGreaterThanOrEqual(2);
  });
});
