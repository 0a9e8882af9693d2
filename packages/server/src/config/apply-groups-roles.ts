import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/database.js';
import { createGroupRepository, type Group, type GroupInput } from '../db/repositories/groups.js';
import { createRoleRepository } from '../db/repositories/roles.js';
import { createUserRepository } from '../db/repositories/users.js';
import type { GroupConfig, TenantConfig } from './declarative-config.js';
import { ConfigFileError, formatPath, type ConfigProblem } from './load-config-file.js';

/**
 * The tenant's `roles:` and `groups:` blocks of the declarative configuration
 * (docs/roles-and-groups.md), applied like the rest of the file: idempotent and additive —
 * created, or their description and roles updated, members added; nothing is deleted and
 * no member removed. Runs after the users, so a member may be a user of the same file.
 */
interface GroupsRolesStep {
  trx: Db;
  tenant: TenantConfig;
  path: (string | number)[];
  options: { fileName?: string | undefined };
}

type RecordChange = (kind: 'created' | 'updated' | 'unchanged', name: string, fields?: string[]) => void;

export async function applyRoles({ trx, tenant }: GroupsRolesStep, record: RecordChange): Promise<void> {
  const roles = createRoleRepository(trx);
  for (const role of tenant.roles ?? []) {
    const api = role.api ?? null;
    const name = `role ${role.name}${api ? ` of ${api}` : ''} (${tenant.id})`;
    const existing = await roles.findByName(tenant.id, api, role.name);
    if (!existing) {
      await roles.insert(tenant.id, { api, name: role.name, description: role.description ?? null });
      record('created', name);
    } else if (role.description !== undefined && role.description !== existing.description) {
      await roles.update(existing.id, { description: role.description });
      record('updated', name, ['description']);
    } else {
      record('unchanged', name);
    }
  }
}

export async function applyGroups(step: GroupsRolesStep, record: RecordChange): Promise<void> {
  const { trx, tenant } = step;
  const groups = createGroupRepository(trx);
  const members = await resolveMembers(step);
  for (const [index, group] of (tenant.groups ?? []).entries()) {
    const name = `group ${group.name} (${tenant.id})`;
    const existing = await groups.findByName(tenant.id, group.name);
    let groupId: string;
    if (!existing) {
      groupId = (await groups.insert(tenant.id, { name: group.name, description: group.description ?? null, roles: group.roles ?? [] })).id;
      record('created', name);
    } else {
      groupId = existing.id;
      const patch = groupPatch(group, existing);
      const fields = Object.keys(patch);
      if (fields.length) await groups.update(existing.id, patch);
      record(fields.length ? 'updated' : 'unchanged', name, fields);
    }
    for (const login of group.members ?? []) {
      const userId = members.get(memberKey(index, login))!;
      const added = await groups.addMember(groupId, userId);
      record(added ? 'created' : 'unchanged', `member ${login} of group ${group.name} (${tenant.id})`);
    }
  }
}

/** The description and roles given in the file that differ from the stored group (the name differs only in case, if at all). */
function groupPatch(group: GroupConfig, existing: Group): Partial<GroupInput> {
  const patch: Partial<GroupInput> = {};
  if (group.description !== undefined && group.description !== existing.description) patch.description = group.description;
  if (group.roles !== undefined && !isDeepStrictEqual(group.roles, existing.roles)) patch.roles = group.roles;
  return patch;
}

const memberKey = (groupIndex: number, login: string) => `${groupIndex}\n${login}`;

/** Every member's user id, or one ConfigFileError naming each member that is no user of the tenant. */
async function resolveMembers({ trx, tenant, path, options }: GroupsRolesStep): Promise<Map<string, string>> {
  const users = createUserRepository(trx);
  const resolved = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const [g, group] of (tenant.groups ?? []).entries()) {
    for (const [m, login] of (group.members ?? []).entries()) {
      const user = await users.findByLogin(tenant.id, login);
      if (user) resolved.set(memberKey(g, login), user.id);
      else problems.push({ path: formatPath([...path, 'groups', g, 'members', m]), message: `no user "${login}" in tenant "${tenant.id}" (in the file or the database)` });
    }
  }
  if (problems.length) throw new ConfigFileError(options.fileName ?? 'config', problems);
  return resolved;
}
