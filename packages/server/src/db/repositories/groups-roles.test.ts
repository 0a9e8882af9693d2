import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../database.js';
import { createGroupRepository, GroupMemberError, type GroupRepository } from './groups.js';
import { createRoleRepository, type RoleRepository } from './roles.js';
import { createTenantRepository } from './tenants.js';
import { createUserRepository, type User } from './users.js';

const WEATHER = 'api://weather';
let database: DatabaseHandle;
let roles: RoleRepository;
let groups: GroupRepository;
let ada: User;
let bo: User;
let other: User;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-groups-');
  const tenants = createTenantRepository(database.db);
  await tenants.insert({ id: 'acme', name: 'Acme' });
  await tenants.insert({ id: 'other', name: 'Other' });
  const users = createUserRepository(database.db);
  const user = (tenant: string, username: string, grants: User['roles'] = []) => users.insert(tenant, {
    username, email: null, emailVerified: false, name: null, passwordHash: null, roles: grants,
  });
  ada = await user('acme', 'ada', [{ api: WEATHER, roles: ['reader'] }, { api: null, roles: ['staff'] }]);
  bo = await user('acme', 'bo');
  other = await user('other', 'otto');
  roles = createRoleRepository(database.db);
  groups = createGroupRepository(database.db);
});
afterAll(() => database.close());

describe('roles', () => {
  it('keeps one name per API and one tenant-wide, and finds each by its API', async () => {
    const perApi = await roles.insert('acme', { api: WEATHER, name: 'reader', description: 'Reads' });
    const tenantWide = await roles.insert('acme', { api: null, name: 'reader', description: null });
    await expect(roles.insert('acme', { api: WEATHER, name: 'reader', description: null })).rejects.toThrow();
    // NULL api counts as one value: a second tenant-wide "reader" is refused too.
    await expect(roles.insert('acme', { api: null, name: 'reader', description: null })).rejects.toThrow();
    expect((await roles.findByName('acme', WEATHER, 'reader'))?.id).toBe(perApi.id);
    expect((await roles.findByName('acme', null, 'reader'))?.id).toBe(tenantWide.id);
    expect(await roles.findByName('other', null, 'reader')).toBeUndefined();
    expect(await roles.find('other', perApi.id)).toBeUndefined();
    expect(await roles.find('acme', 'not-a-uuid')).toBeUndefined();
  });

  it('pages by id, filters by API, and changes only the description', async () => {
    await roles.insert('acme', { api: null, name: 'staff', description: null });
    const all = await roles.list('acme', { limit: 10 });
    expect(all.map((r) => r.id)).toEqual([...all.map((r) => r.id)].sort());
    const first = await roles.list('acme', { limit: 2 });
    const rest = await roles.list('acme', { limit: 10, after: first.at(-1)!.id });
    expect([...first, ...rest].map((r) => r.id)).toEqual(all.map((r) => r.id));
    expect((await roles.list('acme', { limit: 10, api: null })).map((r) => r.name).sort()).toEqual(['reader', 'staff']);
    expect((await roles.list('acme', { limit: 10, api: WEATHER })).map((r) => r.name)).toEqual(['reader']);
    const staff = (await roles.findByName('acme', null, 'staff'))!;
    await roles.update(staff.id, { description: 'Everyone at Acme' });
    expect(await roles.find('acme', staff.id)).toMatchObject({ name: 'staff', api: null, description: 'Everyone at Acme' });
  });

  it('counts the users and groups that hold a role', async () => {
    await groups.insert('acme', { name: 'Readers', description: null, roles: [{ api: WEATHER, roles: ['reader', 'writer'] }] });
    expect(await roles.countAssignments('acme', { api: WEATHER, name: 'reader' })).toEqual({ users: 1, groups: 1 });
    expect(await roles.countAssignments('acme', { api: null, name: 'staff' })).toEqual({ users: 1, groups: 0 });
    expect(await roles.countAssignments('acme', { api: null, name: 'reader' })).toEqual({ users: 0, groups: 0 });
    expect(await roles.countAssignments('other', { api: WEATHER, name: 'reader' })).toEqual({ users: 0, groups: 0 });
  });
});

describe('groups', () => {
  it('refuses a second group of the same name in any case, but not in another tenant', async () => {
    await groups.insert('acme', { name: 'Ops', description: 'Operations', roles: [{ api: null, roles: ['on-call'] }] });
    await expect(groups.insert('acme', { name: 'OPS', description: null, roles: [] })).rejects.toThrow();
    await groups.insert('other', { name: 'Ops', description: null, roles: [] });
    expect((await groups.findByName('acme', 'ops'))?.name).toBe('Ops');
    expect((await groups.list('acme', { limit: 10, name: 'op' })).map((g) => g.name)).toEqual(['Ops']);
    // LIKE wildcards in the filter are literal.
    expect(await groups.list('acme', { limit: 10, name: '%' })).toEqual([]);
  });

  it('adds members idempotently, never across tenants, and lists a user\'s groups in one call', async () => {
    const ops = (await groups.findByName('acme', 'Ops'))!;
    const readers = (await groups.findByName('acme', 'readers'))!;
    expect(await groups.addMember(ops.id, ada.id)).toBe(true);
    expect(await groups.addMember(ops.id, ada.id)).toBe(false);
    expect(await groups.addMember(readers.id, ada.id)).toBe(true);
    expect(await groups.addMember(ops.id, bo.id)).toBe(true);
    await expect(groups.addMember(ops.id, other.id)).rejects.toBeInstanceOf(GroupMemberError);
    await expect(groups.addMember(ops.id, 'nope')).rejects.toBeInstanceOf(GroupMemberError);

    expect(await groups.groupsOfUser('acme', ada.id)).toEqual([
      { id: ops.id, name: 'Ops', roles: [{ api: null, roles: ['on-call'] }] },
      { id: readers.id, name: 'Readers', roles: [{ api: WEATHER, roles: ['reader', 'writer'] }] },
    ]);
    expect(await groups.groupsOfUser('other', ada.id)).toEqual([]);

    const members = await groups.listMembers(ops.id, { limit: 10 });
    expect(members.map((m) => m.userId)).toEqual([ada.id, bo.id].sort());
    expect(await groups.listMembers(ops.id, { limit: 10, after: members[0]!.userId })).toEqual([members[1]]);
    expect(members[0]?.addedAt).toBeInstanceOf(Date);

    expect(await groups.removeMember(ops.id, bo.id)).toBe(true);
    expect(await groups.removeMember(ops.id, bo.id)).toBe(false);
  });

  it('updates, and deletes with the memberships', async () => {
    const ops = (await groups.findByName('acme', 'Ops'))!;
    await groups.update(ops.id, { description: null, roles: [{ api: WEATHER, roles: ['admin'] }] });
    expect(await groups.find('acme', ops.id)).toMatchObject({ name: 'Ops', description: null, roles: [{ api: WEATHER, roles: ['admin'] }] });
    await groups.delete(ops.id);
    expect(await groups.find('acme', ops.id)).toBeUndefined();
    expect((await groups.groupsOfUser('acme', ada.id)).map((g) => g.name)).toEqual(['Readers']);
  });
});
