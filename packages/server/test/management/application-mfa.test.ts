import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, TENANT, WEB } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';
import { createManagementCaller, managementToken, MANAGEMENT_ENV } from './management-client.js';

/**
 * An application's MFA policy (`mfa`) through the management API and the CLI (docs/mfa.md): read,
 * create, change, clear; its ETag and audit trail; bad values refused with the field and nothing
 * changed; and the tenant's `accounts.mfa` block through the tenant resource.
 */
let server: TestServer;
let token: string;
const call = (...args: Parameters<ReturnType<typeof createManagementCaller>>) => createManagementCaller(server, () => token)(...args);
const apps = `/tenants/${TENANT}/applications`;
const MERGE_PATCH = { 'content-type': 'application/merge-patch+json' };

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig(), env: MANAGEMENT_ENV });
  token = await managementToken(server);
});
afterAll(() => server?.dispose());

describe('an application\'s mfa', () => {
  it('is null for an application without one, and set on creation; the ETag of the created item is the one read back', async () => {
    const plain = await call('GET', `${apps}/${WEB.clientId}`);
    expect(plain.body.mfa).toBeNull();

    // Fields in another order than the item's: the stored override reads back the same, with the same ETag.
    const created = await call('POST', apps, {
      clientId: 'payroll', type: 'spa', redirectUris: ['https://payroll.example/cb'], mfa: { factors: ['totp', 'passkey'], policy: 'required' },
    });
    expect(created.status).toBe(201);
    expect(created.body.mfa).toEqual({ policy: 'required', factors: ['totp', 'passkey'] });
    const read = await call('GET', `${apps}/payroll`);
    expect(read.body.mfa).toEqual({ policy: 'required', factors: ['totp', 'passkey'] });
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
  });

  it('changes with PATCH (a new ETag, before and after in the audit trail), is kept when left out, and clears with null or {}', async () => {
    const before = await call('GET', `${apps}/payroll`);
    const changed = await call('PATCH', `${apps}/payroll`, JSON.stringify({ mfa: { policy: 'optional' } }),
      { ...MERGE_PATCH, 'if-match': before.headers.get('etag')! });
    expect(changed.status).toBe(200);
    // The override is replaced as a whole, as `accounts` of a tenant is.
    expect(changed.body.mfa).toEqual({ policy: 'optional' });
    expect(changed.headers.get('etag')).not.toBe(before.headers.get('etag'));
    const events = await call('GET', `/tenants/${TENANT}/audit-events?type=application.updated&subject=payroll`);
    expect(events.body.items?.[0]?.data).toMatchObject({
      before: { mfa: { policy: 'required', factors: ['totp', 'passkey'] } }, after: { mfa: { policy: 'optional' } },
    });

    const renamed = await call('PATCH', `${apps}/payroll`, { name: 'Payroll' });
    expect(renamed.body).toMatchObject({ name: 'Payroll', mfa: { policy: 'optional' } });

    const cleared = await call('PATCH', `${apps}/payroll`, { mfa: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.mfa).toBeNull();
    expect((await call('GET', `${apps}/payroll`)).body.mfa).toBeNull();

    await call('PATCH', `${apps}/payroll`, { mfa: { factors: ['passkey'] } });
    expect((await call('PATCH', `${apps}/payroll`, { mfa: {} })).body.mfa).toBeNull();
  });

  it('refuses an unknown policy or factor, a repeated factor, an unknown field and "required" with no factor: 400 naming the field, nothing changed', async () => {
    await call('PATCH', `${apps}/payroll`, { mfa: { policy: 'required', factors: ['passkey', 'totp'] } });
    const stored = await call('GET', `${apps}/payroll`);
    const cases: [unknown, string][] = [
      [{ policy: 'sometimes' }, '/mfa/policy'],
      [{ factors: ['totp', 'carrier_pigeon'] }, '/mfa/factors/1'],
      [{ factors: ['totp', 'totp'] }, '/mfa/factors/1'],
      [{ policy: 'required', factors: [] }, '/mfa/factors'],
      [{ policy: 'required', rememberDeviceDays: 3 }, '/mfa'],
      ['required', '/mfa'],
    ];
    for (const [mfa, pointer] of cases) {
      const reply = await call('PATCH', `${apps}/payroll`, { mfa });
      expect(reply.status, JSON.stringify(mfa)).toBe(400);
      expect(reply.headers.get('content-type')).toContain('application/problem+json');
      expect(reply.body.code).toBe('request.validation_failed');
      expect(reply.body.errors?.map((error) => error.path), JSON.stringify(mfa)).toContain(pointer);
    }
    const after = await call('GET', `${apps}/payroll`);
    expect(after.body.mfa).toEqual({ policy: 'required', factors: ['passkey', 'totp'] });
    expect(after.headers.get('etag')).toBe(stored.headers.get('etag'));

    const create = await call('POST', apps, { clientId: 'bad-mfa', type: 'spa', mfa: { policy: 'always' } });
    expect(create.status).toBe(400);
    expect(create.body.errors?.[0]?.path).toBe('/mfa/policy');
    expect((await call('GET', `${apps}/bad-mfa`)).status).toBe(404);
  });

  it('is in the OpenAPI document: the item, the create and the update schemas, with the allowed values', async () => {
    const document = (await call('GET', '/openapi.json')).body as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } };
    const text = JSON.stringify(document.components.schemas.Application?.properties.mfa);
    for (const value of ['off', 'optional', 'required', 'passkey', 'totp', 'recovery_code', 'email_code', 'sms_code']) expect(text).toContain(`"${value}"`);
    expect(JSON.stringify(document.components.schemas.ApplicationCreate?.properties.mfa)).toContain('"required"');
    expect(JSON.stringify(document.components.schemas.ApplicationUpdate?.properties.mfa)).toContain('"null"');
  });
});

describe('a tenant\'s accounts.mfa', () => {
  it('is read with its defaults, replaced with the accounts block, and refused with the field when bad', async () => {
    const tenant = await call('GET', `/tenants/${TENANT}`);
    expect((tenant.body.accounts as Record<string, unknown>).mfa).toMatchObject({ policy: 'optional', rememberDeviceDays: 30 });

    const changed = await call('PATCH', `/tenants/${TENANT}`, { accounts: { mfa: { policy: 'required', factors: ['passkey', 'totp'], rememberDeviceDays: 0 } } });
    expect(changed.status).toBe(200);
    expect((changed.body.accounts as Record<string, unknown>).mfa).toEqual({
      policy: 'required', factors: ['passkey', 'totp'], passwordless: ['passkey', 'email_code'], rememberDeviceDays: 0,
      reauthenticationMaxAge: 300, passkeys: { allowedAaguids: [], attestation: 'none' },
    });

    const bad = await call('PATCH', `/tenants/${TENANT}`, { accounts: { mfa: { policy: 'always', factors: ['fax'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.path)).toEqual(expect.arrayContaining(['/accounts/mfa/policy', '/accounts/mfa/factors/0']));
    expect(((await call('GET', `/tenants/${TENANT}`)).body.accounts as Record<string, { policy: string }>).mfa?.policy).toBe('required');
  });
});

describe('tessera applications update --data', () => {
  it('sets and clears mfa, and refuses a bad value with the field', async () => {
    // The embedded database admits one process at a time: the CLI runs while the server is stopped.
    await server.stop();
    try {
      const cli = (args: string[]) => server.cli(['applications', ...args, '--tenant', TENANT]);
      const set = await cli(['update', 'payroll', '--data', '{"mfa":{"policy":"off"}}', '--json']);
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout).mfa).toEqual({ policy: 'off' });
      const bad = await cli(['update', 'payroll', '--data', '{"mfa":{"factors":["fax"]}}']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^tessera: .*\/mfa\/factors\/0/);
      const cleared = await cli(['update', 'payroll', '--data', '{"mfa":null}', '--json']);
      expect(JSON.parse(cleared.stdout).mfa).toBeNull();
    } finally {
      await server.restart();
    }
    expect((await call('GET', `${apps}/payroll`)).body.mfa).toBeNull();
  }, 180_000); // three CLI processes and a server restart
});
