import { z } from 'zod';
import { GroupSchema } from '../../config/declarative-config.js';
import { createGroupRepository, GroupMemberError, type Group } from '../../db/repositories/groups.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { conflict, invalidField, notFound } from '../management-error.js';
import { pageOf } from '../operations.js';
import { defineResource, type ManagementContext } from '../resource.js';
import { assertRoleGrantsValid } from './role-rules.js';
import { isUuid } from '../../db/uuid.js';

const RoleGrantItem = z.object({ api: z.string().nullable(), roles: z.array(z.string()) });
const GroupItemSchema = z.object({
  id: z.string(),
  name: z.string().describe('in the `groups` claim of APIs that ask for it'),
  description: z.string().nullable(),
  roles: z.array(RoleGrantItem).describe('roles every member holds'),
  createdAt: z.string(),
});
type GroupItem = z.infer<typeof GroupItemSchema>;

const GroupCreateSchema = GroupSchema.omit({ members: true });
const GroupUpdateSchema = z.strictObject({
  name: GroupSchema.shape.name.optional(),
  description: z.string().max(1000).nullable().optional(),
  roles: GroupSchema.shape.roles,
});

const toItem = (group: Group): GroupItem => ({
  id: group.id, name: group.name, description: group.description, roles: group.roles, createdAt: group.createdAt.toISOString(),
});

/** Groups: members inherit the group's roles; their names can go in tokens (`groups` claim). */
export const groupsResource = defineResource({
  name: 'groups',
  noun: 'group',
  area: 'groups',
  description: 'Groups of users. Members hold the group\'s roles; APIs with groupsClaim get the group names in a `groups` claim (above 150 groups: `groups_overage`, read them from /users/{userId}/groups).',
  key: { name: 'groupId', description: 'the group id' },
  keyOf: (item: GroupItem) => item.id,
  schemas: {
    item: GroupItemSchema, create: GroupCreateSchema, update: GroupUpdateSchema,
    filter: z.object({ name: z.string().max(128).optional().describe('a case-insensitive prefix of the name') }),
  },
  async list(ctx, { after, limit, name }) {
    return (await createGroupRepository(ctx.db).list(ctx.tenantId, { after, limit, name: name as string | undefined })).map(toItem);
  },
  async get(ctx, id) {
    const group = await createGroupRepository(ctx.db).find(ctx.tenantId, id);
    return group && toItem(group);
  },
  async create(ctx, input) {
    await assertRoleGrantsValid(ctx, input.roles);
    const groups = createGroupRepository(ctx.db);
    if (await groups.findByName(ctx.tenantId, input.name)) throw conflict('group', 'name', input.name);
    return { item: toItem(await groups.insert(ctx.tenantId, { name: input.name, description: input.description ?? null, roles: input.roles ?? [] })) };
  },
  async update(ctx, current, patch) {
    await assertRoleGrantsValid(ctx, patch.roles);
    const groups = createGroupRepository(ctx.db);
    if (patch.name !== undefined && patch.name.toLowerCase() !== current.name.toLowerCase() && await groups.findByName(ctx.tenantId, patch.name)) {
      throw conflict('group', 'name', patch.name);
    }
    await groups.update(current.id, { name: patch.name, description: patch.description, roles: patch.roles });
    return toItem((await groups.find(ctx.tenantId, current.id))!);
  },
  async delete(ctx, current) {
    await createGroupRepository(ctx.db).delete(current.id);
  },
});

const MemberItemSchema = z.object({ userId: z.string(), addedAt: z.string() });
type MemberItem = z.infer<typeof MemberItemSchema>;

async function parentGroup(ctx: ManagementContext): Promise<Group> {
  const group = await createGroupRepository(ctx.db).find(ctx.tenantId, ctx.parentKey ?? '');
  if (!group) throw notFound('group', ctx.parentKey ?? '');
  return group;
}

/** Group membership: add (POST { userId }) and remove (DELETE) members. */
export const groupMembersResource = defineResource({
  name: 'members',
  noun: 'group member',
  area: 'groups',
  description: 'Members of a group. Adding a member gives them the group\'s roles in their next token; removing takes them away.',
  key: { name: 'userId', description: 'the member\'s user id' },
  keyOf: (item: MemberItem) => item.userId,
  parent: { name: 'groups', key: 'groupId', noun: 'group' },
  schemas: { item: MemberItemSchema, create: z.strictObject({ userId: z.string().max(64) }) },
  async list(ctx, { after, limit }) {
    const group = await parentGroup(ctx);
    const members = await createGroupRepository(ctx.db).listMembers(group.id, { after, limit });
    return members.map((m) => ({ userId: m.userId, addedAt: m.addedAt.toISOString() }));
  },
  async get(ctx, userId) {
    const group = await parentGroup(ctx);
    if (!isUuid(userId)) return undefined;
    const row = await ctx.db.selectFrom('group_members').select(['user_id', 'created_at'])
      .where('group_id', '=', group.id).where('user_id', '=', userId).executeTakeFirst();
    return row && { userId: row.user_id, addedAt: new Date(row.created_at).toISOString() };
  },
  async create(ctx, input) {
    const group = await parentGroup(ctx);
    if (!await createUserRepository(ctx.db).find(ctx.tenantId, input.userId)) throw invalidField('/userId', `no user "${input.userId}" in tenant "${ctx.tenantId}"`);
    try {
      if (!await createGroupRepository(ctx.db).addMember(group.id, input.userId)) throw conflict('group member', 'userId', input.userId);
    } catch (error) {
      if (error instanceof GroupMemberError) throw invalidField('/userId', error.message);
      throw error;
    }
    return { item: { userId: input.userId, addedAt: ctx.now.toISOString() } };
  },
  async delete(ctx, current) {
    const group = await parentGroup(ctx);
    await createGroupRepository(ctx.db).removeMember(group.id, current.userId);
  },
});

const UserGroupItemSchema = z.object({ id: z.string(), name: z.string() });

/** The groups a user is in: where an app reads them when a token says `groups_overage`. */
export const userGroupsResource = defineResource({
  name: 'groups',
  noun: 'user group',
  area: 'users',
  description: 'The groups a user is in (read-only; change membership under /groups/{groupId}/members). Apps read this when a token carries `groups_overage` instead of `groups`.',
  key: { name: 'groupId', description: 'the group id' },
  keyOf: (item: z.infer<typeof UserGroupItemSchema>) => item.id,
  parent: { name: 'users', key: 'userId', noun: 'user' },
  schemas: { item: UserGroupItemSchema },
  async list(ctx, { after, limit }) {
    return pageOf(await userGroups(ctx), (g) => g.id, { after, limit });
  },
  async get(ctx, id) {
    return (await userGroups(ctx)).find((g) => g.id === id);
  },
});

async function userGroups(ctx: ManagementContext) {
  const user = await createUserRepository(ctx.db).find(ctx.tenantId, ctx.parentKey ?? '');
  if (!user) throw notFound('user', ctx.parentKey ?? '');
  const groups = await createGroupRepository(ctx.db).groupsOfUser(ctx.tenantId, user.id);
  return groups.map((g) => ({ id: g.id, name: g.name }));
}
