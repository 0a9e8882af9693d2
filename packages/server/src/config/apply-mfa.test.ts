import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from '../../test/support/test-services.js';
import { createAuditWriter } from '../audit/audit-writer.js';
import { buildApp } from '../http/app.js';
import { ensureBootstrapCredential } from '../management/bootstrap.js';
import { createProviderRegistry, type ProviderRegistry } from '../provider/provider-registry.js';
import type { Services } from '../server/services.js';
import { applyConfig } from './apply-config.js';
import { ConfigFileError, parseConfigText } from './load-config-file.js';

/**
 * MFA in the configuration file (docs/mfa.md): a tenant's `accounts.mfa` block and an
 * application's `mfa:` override, applied idempotently; bad values refused with the path to
 * the field; and a change reaching the tenant's cached snapshot that sign-ins read.
 */
let services: Services;
let opened: TestServices | undefined;

beforeAll(async () => {
  opened = await openTestServices('apply-mfa');
  services = opened.services;
});
afterAll(() => opened?.dispose());

const file = (applications: string, accounts = '') => parseConfigText(`
tenants:
  - id: mfa
    name: MFA
${accounts}
    applications:
${applications}
`, 'mfa.yaml');

const BASE = `
      - { clientId: payroll, type: web, redirectUris: [https://payroll.example/cb], mfa: { policy: required, factors: [passkey, totp] } }
      - { clientId: wiki, type: spa, redirectUris: [https://wiki.example/cb], mfa: { policy: off } }
      - { clientId: plain, type: spa, redirectUris: [https://plain.example/cb] }`;
const ACCOUNTS = `
    accounts:
      mfa: { policy: optional, factors: [passkey, totp, recovery_code], rememberDeviceDays: 7, passkeys: { rpName: Acme } }`;

const mfaOf = async (clientId: string) => (await services.applications.findByClientId('mfa', clientId))?.mfa;
const revision = async () => (await services.tenants.find('mfa'))?.revision;

function problemsOf(text: string): { path: string; message: string }[] {
  try {
    parseConfigText(text, 'bad.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return (error as ConfigFileError).problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('the file was accepted');
}

describe('an application\'s mfa in the configuration file', () => {
  it('is stored on creation with the tenant\'s mfa block, and applying the same file again changes nothing', async () => {
    const first = await applyConfig(services, file(BASE, ACCOUNTS), { actor: 'test' });
    expect(first.created).toEqual(expect.arrayContaining(['application payroll (mfa)', 'account settings (mfa)']));
    expect(await mfaOf('payroll')).toEqual({ policy: 'required', factors: ['passkey', 'totp'] });
    expect(await mfaOf('wiki')).toEqual({ policy: 'off' });
    expect(await mfaOf('plain')).toBeNull();
    expect((await services.tenants.find('mfa'))?.accountSettings.mfa).toEqual({
      policy: 'optional', factors: ['passkey', 'totp', 'recovery_code'], passwordless: ['passkey', 'email_code'],
      rememberDeviceDays: 7, reauthenticationMaxAge: 300, passkeys: { rpName: 'Acme', allowedAaguids: [], attestation: 'none' },
    });

    const before = await revision();
    const again = await applyConfig(services, file(BASE, ACCOUNTS), { actor: 'test' });
    expect(again.created).toEqual([]);
    expect(again.updated).toEqual([]);
    expect(await revision()).toBe(before);
  });

  it('keeps the stored override when the file leaves mfa out, changes it, and clears it with null or {}', async () => {
    const kept = await applyConfig(services, file(`
      - { clientId: payroll, type: web }
      - { clientId: wiki, type: spa, mfa: { policy: required, factors: [totp] } }
      - { clientId: plain, type: spa, mfa: {} }`));
    expect(kept.updated).toEqual(['application wiki (mfa): mfa']);
    expect(await mfaOf('payroll')).toEqual({ policy: 'required', factors: ['passkey', 'totp'] });
    expect(await mfaOf('wiki')).toEqual({ policy: 'required', factors: ['totp'] });
    expect(await mfaOf('plain')).toBeNull();

    const before = await revision();
    const cleared = await applyConfig(services, file(`
      - { clientId: payroll, type: web, mfa: null }
      - { clientId: wiki, type: spa, mfa: {} }`), { actor: 'test' });
    expect(cleared.updated).toEqual(['application payroll (mfa): mfa', 'application wiki (mfa): mfa']);
    expect(await mfaOf('payroll')).toBeNull();
    expect(await mfaOf('wiki')).toBeNull();
    expect(await revision()).toBe((before ?? 0) + 1);
    const events = await services.db.selectFrom('audit_events').select('data').where('tenant_id', '=', 'mfa')
      .where('type', '=', 'config.applied').execute();
    expect(events.map((event) => event.data.changes)).toContainEqual(['updated application payroll (mfa): mfa', 'updated application wiki (mfa): mfa']);
  });

  it('refuses an unknown policy, an unknown or repeated factor, an unknown field, and "required" with no factor, naming each field', async () => {
    const problems = problemsOf(`
tenants:
  - id: mfa
    applications:
      - { clientId: a1, type: spa, mfa: { policy: sometimes } }
      - { clientId: a2, type: spa, mfa: { factors: [totp, carrier_pigeon] } }
      - { clientId: a3, type: spa, mfa: { factors: [totp, totp] } }
      - { clientId: a4, type: spa, mfa: { policy: required, factors: [] } }
      - { clientId: a5, type: spa, mfa: { policy: required, rememberDeviceDays: 3 } }
      - { clientId: a6, type: spa, mfa: required }
`);
    const at = (path: string) => problems.filter((problem) => problem.path === path).map((problem) => problem.message).join(' | ');
    expect(at('tenants[0].applications[0].mfa.policy')).toMatch(/off.*optional.*required/);
    expect(at('tenants[0].applications[1].mfa.factors[1]')).toMatch(/passkey.*totp/);
    expect(at('tenants[0].applications[2].mfa.factors[1]')).toBe('repeats "totp"');
    expect(at('tenants[0].applications[3].mfa.factors')).toBe('must allow at least one factor when the policy is "required"');
    expect(at('tenants[0].applications[4].mfa.rememberDeviceDays')).toContain('unknown field');
    expect(at('tenants[0].applications[5].mfa')).toBe('must be a mapping, not a string');
  });

  it('refuses a bad accounts.mfa block of a tenant, naming the field', async () => {
    const problems = problemsOf(`
tenants:
  - id: mfa
    accounts:
      mfa: { policy: always, factors: [sms_code, fax], rememberDeviceDays: 400, passkeys: { allowedAaguids: [not-a-uuid] } }
`);
    expect(problems.map((problem) => problem.path)).toEqual(expect.arrayContaining([
      'tenants[0].accounts.mfa.policy', 'tenants[0].accounts.mfa.factors[1]', 'tenants[0].accounts.mfa.rememberDeviceDays',
      'tenants[0].accounts.mfa.passkeys.allowedAaguids[0]',
    ]));
    // Nothing was applied: the stored block is the one from the first test.
    expect((await services.tenants.find('mfa'))?.accountSettings.mfa.policy).toBe('optional');
  });
});

describe('the tenant snapshot that sign-ins read', () => {
  let app: FastifyInstance;
  let registry: ProviderRegistry;
  let token: string;
  const audit = () => createAuditWriter(services.db);

  beforeAll(async () => {
    const { newSecret } = await ensureBootstrapCredential(services);
    registry = createProviderRegistry(services, audit(), { log: { error: (fields, message) => console.error(message, fields) } });
    app = await buildApp({ services, registry, audit: audit() });
    const reply = await app.inject({
      method: 'POST', url: '/admin/token',
      headers: {
        authorization: `Basic ${Buffer.from(`tessera-admin:${newSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'tessera:management/.default' }).toString(),
    });
    token = (reply.json() as { access_token: string }).access_token;
    expect(token, reply.body).toBeTruthy();
  });
  afterAll(() => app?.close());

  const findApplication = async (clientId: string) => (await registry.get('mfa'))!.snapshot.findApplication(clientId);

  it('has the new mfa after a management API update on this node (the cached runtime is dropped)', async () => {
    const cached = await registry.get('mfa');
    expect((await cached!.snapshot.findApplication('payroll'))?.mfa).toBeNull();
    const reply = await app.inject({
      method: 'PATCH', url: '/api/v1/tenants/mfa/applications/payroll',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ mfa: { policy: 'required', factors: ['totp'] } }),
    });
    expect(reply.statusCode).toBe(200);
    expect((await findApplication('payroll'))?.mfa).toEqual({ policy: 'required', factors: ['totp'] });
    // The old snapshot really was a cache: it still answers what it loaded.
    expect((await cached!.snapshot.findApplication('payroll'))?.mfa).toBeNull();
  });

  it('has the new mfa after a change made elsewhere (the CLI, another node) once the revision is checked', async () => {
    expect((await findApplication('payroll'))?.mfa).toEqual({ policy: 'required', factors: ['totp'] });
    await applyConfig(services, file(`
      - { clientId: payroll, type: web, mfa: { policy: off } }`));
    await registry.refresh();
    expect((await findApplication('payroll'))?.mfa).toEqual({ policy: 'off' });
  });
});
