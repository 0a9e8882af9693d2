import { z } from 'zod';
import { RoleDefinitionSchema } from '../../config/declarative-config.js';
import { createRoleRepository, type Role } from '../../db/repositories/roles.js';
import { ManagementError, conflict, invalidField } from '../management-error.js';
import { defineResource } from '../resource.js';
import { tenantApis } from './application-rules.js';

const RoleItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  api: z.string().nullable().describe('the API whose tokens carry it in `roles`; null: tenant-wide (every API)'),
  description: z.string().nullable(),
  createdAt: z.string(),
});
type RoleItem = z.infer<typeof RoleItemSchema>;

const toItem = (role: Role): RoleItem => ({
  id: role.id, name: role.name, api: role.api, description: role.description, createdAt: role.createdAt.toISOString(),
});

/** Role definitions: user roles per API or tenant-wide, granted to users directly or through groups. */
export const rolesResource = defineResource({
  name: 'roles',
  noun: 'role',
  area: 'roles',
  description: 'Role definitions: user roles of one API (in the `roles` claim of its tokens) or tenant-wide (in every API\'s tokens). Grant them with a user\'s or a group\'s `roles`. Name and API never change; a role still granted cannot be deleted.',
  key: { name: 'roleId', description: 'the role id' },
  keyOf: (item: RoleItem) => item.id,
  schemas: {
    item: RoleItemSchema, create: RoleDefinitionSchema,
    update: z.strictObject({ description: z.string().max(1000).nullable().optional() }),
    filter: z.object({ api: z.string().max(2048).optional().describe('an API identifier, or "tenant" for tenant-wide roles') }),
  },
  async list(ctx, { after, limit, api }) {
    const filter = api === undefined ? undefined : api === 'tenant' ? null : String(api);
    return (await createRoleRepository(ctx.db).list(ctx.tenantId, { after, limit, api: filter })).map(toItem);
  },
  async get(ctx, id) {
    const role = await createRoleRepository(ctx.db).find(ctx.tenantId, id);
    return role && toItem(role);
  },
  async create(ctx, input) {
    const api = input.api ?? null;
    if (api !== null && !(await tenantApis(ctx)).has(api)) throw invalidField('/api', `no API "${api}" in tenant "${ctx.tenantId}"`);
    const roles = createRoleRepository(ctx.db);
    if (await roles.findByName(ctx.tenantId, api, input.name)) throw conflict('role', 'name', input.name);
    return { item: toItem(await roles.insert(ctx.tenantId, { api, name: input.name, description: input.description ?? null })) };
  },
  async update(ctx, current, patch) {
    const roles = createRoleRepository(ctx.db);
    if (patch.description !== undefined) await roles.update(current.id, { description: patch.description });
    return toItem((await roles.find(ctx.tenantId, current.id))!);
  },
  async delete(ctx, current) {
    const roles = createRoleRepository(ctx.db);
    const held = await roles.countAssignments(ctx.tenantId, current);
    if (held.users + held.groups > 0) {
      throw new ManagementError(409, 'role.in_use', `role "${current.name}" is granted to ${held.users} user(s) and ${held.groups} group(s); remove those grants first`);
    }
    await roles.delete(current.id);
  },
});
