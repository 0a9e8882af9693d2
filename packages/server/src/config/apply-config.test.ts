import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from '../../test/support/test-services.js';
import type { Services } from '../server/services.js';
import { applyConfig } from './apply-config.js';
import { ConfigFileError, loadConfigFile, parseConfigText } from './load-config-file.js';

const demoFile = path.resolve(import.meta.dirname, '../../demo/tessera.yaml');
const TABLES = ['tenants', 'apis', 'applications', 'application_secrets', 'application_certificates', 'users', 'signing_keys', 'audit_events'] as const;

let services: Services;
let opened: TestServices | undefined;

beforeAll(async () => {
  opened = await openTestServices('apply');
  services = opened.services;
});

afterAll(() => opened?.dispose());

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await services.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

const revisionOf = async (tenantId: string) => (await services.tenants.find(tenantId))?.revision;

describe('applyConfig', () => {
  it('applies the demo configuration, then changes nothing when applied again', async () => {
    const config = await loadConfigFile(demoFile);
    const first = await applyConfig(services, config, { actor: 'test' });
    expect(first.created).toEqual(expect.arrayContaining([
      'tenant demo', 'API api://weather (demo)', 'application weather-daemon (demo)', 'application weather-web (demo)',
      'application weather-spa (demo)', 'secret …cdef of weather-daemon (demo)', 'user alice (demo)',
    ]));
    expect(first.updated).toEqual([]);
    const daemon = await services.applications.findByClientId('demo', 'weather-daemon');
    expect(daemon?.appRoles).toEqual([{ api: 'api://weather', roles: ['app.weather'] }]);
    expect((await services.signingKeys.list('demo')).map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);

    const before = await rowCounts();
    const revision = await revisionOf('demo');
    const second = await applyConfig(services, await loadConfigFile(demoFile), { actor: 'test' });
    expect(second).toEqual({ created: [], updated: [], unchanged: first.created.length });
    expect(await rowCounts()).toEqual(before);
    expect(await revisionOf('demo')).toBe(revision);
  });

  it('keeps the stored password hash when the configured password is unchanged', async () => {
    const alice = await services.users.findByLogin('demo', 'alice');
    expect(alice?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await services.passwords.verify('correct horse battery staple', alice?.passwordHash ?? '')).toBe(true);
    await applyConfig(services, await loadConfigFile(demoFile));
    expect((await services.users.findByLogin('demo', 'alice'))?.passwordHash).toBe(alice?.passwordHash);
  });

  it('updates only what differs, bumps the revision and records one audit event', async () => {
    const revision = await revisionOf('demo');
    const config = parseConfigText(`
tenants:
  - id: demo
    applications:
      - clientId: weather-web
        type: web
        redirectUris: [http://localhost:5000/signin-oidc, https://weather.example/signin-oidc]
    users:
      - username: alice
        password: a new passphrase for alice
`, 'change.yaml');
    const summary = await applyConfig(services, config, { actor: 'test' });
    expect(summary.created).toEqual([]);
    expect(summary.updated).toEqual(['application weather-web (demo): redirectUris', 'user alice (demo): passwordHash']);
    expect(await revisionOf('demo')).toBe((revision ?? 0) + 1);
    const web = await services.applications.findByClientId('demo', 'weather-web');
    expect(web?.name).toBe('Weather web');
    expect(web?.permissions).toEqual([{ api: 'api://weather', scopes: ['weather.read'] }]);
    const events = await services.db.selectFrom('audit_events').selectAll()
      .where('type', '=', 'config.applied').where('actor', '=', 'test').orderBy('id', 'desc').execute();
    expect(events[0]?.data).toEqual({ changes: summary.updated.map((item) => `updated ${item}`) });
  });

  it('writes nothing in a dry run', async () => {
    const before = await rowCounts();
    const config = parseConfigText('tenants:\n  - id: dry-run\n    name: Dry run\n', 'dry.yaml');
    const summary = await applyConfig(services, config, { dryRun: true });
    expect(summary.created).toEqual(['tenant dry-run']);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses an invalid file with every problem named and leaves the database unchanged', async () => {
    const before = await rowCounts();
    const text = `
tenants:
  - id: broken
    apis:
      - { identifier: not-a-uri, name: Broken }
    applications:
      - { clientId: b, type: web, redirectUris: ["javascript:alert(1)"] }
    users:
      - { username: "'; drop table users; --", password: short }
`;
    let error: unknown;
    try {
      await applyConfig(services, parseConfigText(text, 'broken.yaml'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).problems.map((problem) => problem.path)).toEqual(expect.arrayContaining([
      'tenants[0].apis[0].identifier', 'tenants[0].applications[0].clientId', 'tenants[0].applications[0].redirectUris[0]',
      'tenants[0].users[0].username', 'tenants[0].users[0].password',
    ]));
    expect(await rowCounts()).toEqual(before);
  });

  it('stores script- and SQL-looking text verbatim as data', async () => {
    const hostile = `'; drop table users; -- <script>alert(1)</script>`;
    const config = parseConfigText(`
tenants:
  - id: hostile
    name: ${JSON.stringify(hostile)}
    apis:
      - { identifier: "https://api.hostile.test/x'--", name: ${JSON.stringify(hostile)} }
    applications:
      - { clientId: web, type: web, name: ${JSON.stringify(hostile)}, redirectUris: ["https://app.test/cb?q=%27;drop"] }
    users:
      - { email: "o'brien@hostile.test", name: ${JSON.stringify(hostile)} }
`, 'hostile.yaml');
    await applyConfig(services, config);
    expect((await services.tenants.find('hostile'))?.name).toBe(hostile);
    expect((await services.apis.list('hostile'))[0]).toMatchObject({ identifier: "https://api.hostile.test/x'--", name: hostile });
    expect((await services.applications.findByClientId('hostile', 'web'))?.redirectUris).toEqual(['https://app.test/cb?q=%27;drop']);
    expect((await services.users.findByLogin('hostile', "O'Brien@hostile.test"))?.name).toBe(hostile);
    expect((await rowCounts()).users).toBeGreaterThan(0);
  });

  it('rolls back everything when one item conflicts with the database', async () => {
    const before = await rowCounts();
    const config = parseConfigText(`
tenants:
  - id: another
  - id: demo
    applications:
      - { clientId: weather-daemon, type: web }
`, 'conflict.yaml');
    await expect(applyConfig(services, config, { fileName: 'conflict.yaml' })).rejects.toThrow(
      'conflict.yaml: tenants[1].applications[0].type: "weather-daemon" is a daemon application in the database',
    );
    expect(await rowCounts()).toEqual(before);
  });
});
