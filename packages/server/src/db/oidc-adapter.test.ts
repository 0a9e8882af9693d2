import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from './database.js';
import { createOidcAdapterClass, EXPIRED_DEVICE_CODE_KEPT_SECONDS, sweepExpiredOidcPayloads } from './oidc-adapter.js';

let database: DatabaseHandle;
let now = Date.parse('2026-01-01T00:00:00Z');
const clock = () => now;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-adapter-');
});
afterAll(async () => {
  await database.close();
});

const adapterFor = (model: string, tenantId = 'acme') =>
  new (createOidcAdapterClass({ db: database.db, tenantId, refreshTokenReuseGraceSeconds: 10, clock }))(model);

describe('oidc-provider storage adapter', () => {
  it('stores, finds by id, uid and user code, and keeps tenants apart', async () => {
    const sessions = adapterFor('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'a' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
    expect(await adapterFor('Session', 'other').find('s1')).toBeUndefined();
    const codes = adapterFor('DeviceCode');
    await codes.upsert('d1', { userCode: 'ABCD-EFGH' }, 60);
    expect(await codes.findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
  });

  it('treats an expired artifact as absent, and the sweeper deletes it', async () => {
    const codes = adapterFor('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g0' }, 60);
    now += 61_000;
    expect(await codes.find('c1')).toBeUndefined();
    expect(await sweepExpiredOidcPayloads(database.db, new Date(now))).toBeGreaterThanOrEqual(1);
    const left = await database.db.selectFrom('oidc_payloads').select('id').where('id', '=', 'c1').execute();
    expect(left).toEqual([]);
  });

  it('keeps an expired device code an hour, so the device hears expired_token, then sweeps it', async () => {
    const codes = adapterFor('DeviceCode');
    await codes.upsert('d-expiring', { userCode: 'WXYZ-BCDF', exp: Math.floor(now / 1000) + 60 }, 60);
    now += 61_000;
    expect(await codes.find('d-expiring')).toMatchObject({ userCode: 'WXYZ-BCDF' });
    expect(await codes.findByUserCode('WXYZ-BCDF')).toMatchObject({ userCode: 'WXYZ-BCDF' });
    await sweepExpiredOidcPayloads(database.db, new Date(now));
    expect(await codes.find('d-expiring')).toBeDefined();
    now += EXPIRED_DEVICE_CODE_KEPT_SECONDS * 1000;
    expect(await codes.find('d-expiring')).toBeUndefined();
    await sweepExpiredOidcPayloads(database.db, new Date(now));
    const left = await database.db.selectFrom('oidc_payloads').select('id').where('id', '=', 'd-expiring').execute();
    expect(left).toEqual([]);
  });

  it('tolerates a rotated refresh token for the grace window only', async () => {
    const tokens = adapterFor('RefreshToken');
    await tokens.upsert('r1', { grantId: 'g1' }, 3600);
    await tokens.consume('r1');
    expect((await tokens.find('r1'))?.consumed).toBeUndefined();
    now += 11_000;
    expect((await tokens.find('r1'))?.consumed).toEqual(expect.any(Number));
  });

  it('revokes everything of a grant at once', async () => {
    const tokens = adapterFor('RefreshToken');
    const grants = adapterFor('Grant');
    await tokens.upsert('r2', { grantId: 'g2' }, 3600);
    await grants.upsert('g2', { grantId: 'g2' }, 3600);
    await tokens.upsert('r3', { grantId: 'g3' }, 3600);
    await tokens.revokeByGrantId('g2');
    expect(await tokens.find('r2')).toBeUndefined();
    expect(await grants.find('g2')).toBeUndefined();
    expect(await tokens.find('r3')).toBeDefined();
  });

  it('answers "not found" for values no artifact can have (NUL, absurd length)', async () => {
    const tokens = adapterFor('RefreshToken');
    expect(await tokens.find('r\0')).toBeUndefined();
    expect(await tokens.find('x'.repeat(5000))).toBeUndefined();
  });
});
