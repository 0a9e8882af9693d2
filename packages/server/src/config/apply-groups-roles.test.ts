import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices } from '../../test/support/test-services.js';
import { createGroupRepository } from '../db/repositories/groups.js';
import { createRoleRepository } from '../db/repositories/roles.js';
import type { Services } from '../server/services.js';
import { applyConfig } from './apply-config.js';
import { ConfigFileError, parseConfigText } from './load-config-file.js';

/** The `roles:` and `groups:` blocks and `groupsClaim` of the declarative configuration (docs/roles-and-groups.md). */

let services: Services;
let opened: TestServices | undefined;

beforeAll(async () => {
  opened = await openTestServices('apply-groups');
  services = opened.services;
});

afterAll(() => opened?.dispose());

const FILE = `
tenants:
  - id: acme
    apis:
      - { identifier: api://weather, name: Weather, groupsClaim: true }
    users:
      - { username: ada, roles: [{ api: api://weather, roles: [reader] }, { roles: [staff] }] }
      - { username: bo, email: bo@acme.test }
    roles:
      - { name: reader, api: api://weather, description: Reads forecasts }
      - { name: staff, description: Everyone at Acme }
    groups:
      - name: Forecasters
        description: Publish forecasts
        roles: [{ api: api://weather, roles: [forecaster] }, { roles: [on-call] }]
        members: [ada, BO@acme.test]
`;

function problemsOf(run: () => unknown): Promise<{ path: string; message: string }[]> {
  return Promise.resolve().then(run).then(() => [], (error: unknown) => {
    if (!(error instanceof ConfigFileError)) throw error;
    return error.problems.map(({ path: at, message }) => ({ path: at, message }));
  });
}

describe('roles and groups in the configuration file', () => {
  it('creates roles, groups and members, tenant-wide grants included, then changes nothing when applied again', async () => {
    const first = await applyConfig(services, parseConfigText(FILE, 'acme.yaml'));
    expect(first.created).toEqual(expect.arrayContaining([
      'role reader of api://weather (acme)', 'role staff (acme)', 'group Forecasters (acme)',
      'member ada of group Forecasters (acme)', 'member BO@acme.test of group Forecasters (acme)',
    ]));
    expect((await services.apis.list('acme'))[0]?.groupsClaim).toBe(true);
    expect((await services.users.findByLogin('acme', 'ada'))?.roles).toEqual([{ api: 'api://weather', roles: ['reader'] }, { api: null, roles: ['staff'] }]);
    const roles = createRoleRepository(services.db);
    expect(await roles.findByName('acme', null, 'staff')).toMatchObject({ description: 'Everyone at Acme' });
    const groups = createGroupRepository(services.db);
    const group = await groups.findByName('acme', 'forecasters');
    expect(group).toMatchObject({ description: 'Publish forecasts', roles: [{ api: 'api://weather', roles: ['forecaster'] }, { api: null, roles: ['on-call'] }] });
    expect(await groups.listMembers(group!.id, { limit: 10 })).toHaveLength(2);

    const second = await applyConfig(services, parseConfigText(FILE, 'acme.yaml'));
    expect(second).toEqual({ created: [], updated: [], unchanged: first.created.length });
  });

  it('updates descriptions and roles, adds members, and removes nothing', async () => {
    const summary = await applyConfig(services, parseConfigText(`
tenants:
  - id: acme
    users:
      - { username: cy }
    roles:
      - { name: staff, description: All staff }
    groups:
      - { name: FORECASTERS, roles: [{ api: null, roles: [on-call] }], members: [cy] }
`, 'change.yaml'));
    expect(summary.created).toEqual(['user cy (acme)', 'member cy of group FORECASTERS (acme)']);
    expect(summary.updated).toEqual(['role staff (acme): description', 'group FORECASTERS (acme): roles']);
    const groups = createGroupRepository(services.db);
    const group = await groups.findByName('acme', 'Forecasters');
    expect(group).toMatchObject({ name: 'Forecasters', description: 'Publish forecasts', roles: [{ api: null, roles: ['on-call'] }] });
    expect(await groups.listMembers(group!.id, { limit: 10 })).toHaveLength(3);
    expect(await createRoleRepository(services.db).findByName('acme', 'api://weather', 'reader')).toBeDefined();
  });

  it('refuses an unknown API in a role, a group or a user, and duplicate names', async () => {
    const problems = await problemsOf(() => parseConfigText(`
tenants:
  - id: refs
    apis: [{ identifier: api://weather, name: Weather }]
    users:
      - { username: ada, roles: [{ api: api://nowhere, roles: [x] }] }
    roles:
      - { name: reader, api: api://nowhere }
      - { name: staff }
      - { name: staff }
      - { name: .default }
    groups:
      - { name: Ops, roles: [{ api: api://nowhere, roles: [admin] }] }
      - { name: OPS }
      - { name: "tab\\there" }
`, 'refs.yaml'));
    expect(problems).toEqual(expect.arrayContaining([
      { path: 'tenants[0].users[0].roles[0].api', message: 'no API "api://nowhere" in tenant "refs"' },
      { path: 'tenants[0].roles[0].api', message: 'no API "api://nowhere" in tenant "refs"' },
      { path: 'tenants[0].roles[2].name', message: 'duplicate role "(tenant-wide) staff"' },
      { path: 'tenants[0].roles[3].name', message: expect.stringContaining('reserved') },
      { path: 'tenants[0].groups[0].roles[0].api', message: 'no API "api://nowhere" in tenant "refs"' },
      { path: 'tenants[0].groups[1].name', message: 'duplicate group name "ops"' },
      { path: 'tenants[0].groups[2].name', message: 'must not contain control characters' },
    ]));
    expect(problems).toHaveLength(7);
  });

  it('refuses a member who is no user of the tenant, and writes nothing', async () => {
    const problems = await problemsOf(() => applyConfig(services, parseConfigText(`
tenants:
  - id: acme
    groups:
      - { name: Newcomers, members: [ada, ghost, otto@other.test] }
  - id: other
    users: [{ email: otto@other.test }]
`, 'members.yaml')));
    expect(problems).toEqual([
      { path: 'tenants[0].groups[0].members[1]', message: 'no user "ghost" in tenant "acme" (in the file or the database)' },
      { path: 'tenants[0].groups[0].members[2]', message: 'no user "otto@other.test" in tenant "acme" (in the file or the database)' },
    ]);
    expect(await createGroupRepository(services.db).findByName('acme', 'Newcomers')).toBeUndefined();
    expect(await services.tenants.find('other')).toBeUndefined();
  });
});
