import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../database.js';
import { isUuid } from '../uuid.js';

/**
 * Groups and their members (migration 0005, docs/roles-and-groups.md). A group grants roles to
 * every member: `roles` has the shape of users.roles, `[{ api, roles }]` with `api` null for
 * tenant-wide roles. Names are unique per tenant, case-insensitively (like usernames).
 */

/** One grant of role names, for one API identifier or (`api: null`) for the whole tenant. */
export const RoleGrantSchema = z.object({ api: z.string().nullable(), roles: z.array(z.string()) });
export type RoleGrant = z.infer<typeof RoleGrantSchema>;
/** groups.roles (and users.roles) as stored: read through this schema. */
export const RoleGrantsSchema = z.array(RoleGrantSchema);

export interface Group {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  roles: RoleGrant[];
  createdAt: Date;
  updatedAt: Date;
}

export type GroupInput = Pick<Group, 'name' | 'description' | 'roles'>;

export interface GroupMember {
  groupId: string;
  userId: string;
  /** When the user was added to the group. */
  addedAt: Date;
}

/** A group as token issuance needs it: what to name in `groups` and which roles it grants. */
export type UserGroup = Pick<Group, 'id' | 'name' | 'roles'>;

export interface PageOptions {
  /** Cursor: the last key (id, or user id for members) of the previous page. */
  after?: string | undefined;
  limit: number;
}

/** Raised by addMember when the group and the user are not both in one tenant. */
export class GroupMemberError extends Error {
  readonly code = 'group_member.not_in_tenant';
}

/** A LIKE pattern that matches `prefix` literally (PostgreSQL's default escape is backslash). */
const likePrefix = (prefix: string) => `${prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createGroupRepository(db: Db) {
  const base = (tenantId: string) => db.selectFrom('groups').selectAll().where('tenant_id', '=', tenantId);
  return {
    /** At most `limit` groups with id > `after`, ordered by id; `name` keeps those whose name starts with it (any case). */
    async list(tenantId: string, options: PageOptions & { name?: string | undefined }): Promise<Group[]> {
      if (options.after !== undefined && !isUuid(options.after)) return [];
      let query = base(tenantId).orderBy('id').limit(options.limit);
      if (options.after !== undefined) query = query.where('id', '>', options.after);
      if (options.name !== undefined) query = query.where(sql<boolean>`lower(name) like ${likePrefix(options.name)}`);
      return (await query.execute()).map(toGroup);
    },
    async find(tenantId: string, id: string): Promise<Group | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await base(tenantId).where('id', '=', id).executeTakeFirst();
      return row && toGroup(row);
    },
    /** Case-insensitive, as the unique index compares names. */
    async findByName(tenantId: string, name: string): Promise<Group | undefined> {
      const row = await base(tenantId).where(sql<boolean>`lower(name) = ${name.toLowerCase()}`).executeTakeFirst();
      return row && toGroup(row);
    },
    async insert(tenantId: string, group: GroupInput): Promise<Group> {
      const now = new Date();
      const created: Group = { id: randomUUID(), tenantId, ...group, createdAt: now, updatedAt: now };
      await db.insertInto('groups').values({
        id: created.id, tenant_id: tenantId, name: group.name, description: group.description,
        roles: JSON.stringify(group.roles), created_at: now, updated_at: now,
      }).execute();
      return created;
    },
    async update(id: string, patch: Partial<GroupInput>): Promise<void> {
      await db.updateTable('groups').set({
        name: patch.name,
        description: patch.description,
        roles: patch.roles === undefined ? undefined : JSON.stringify(patch.roles),
        updated_at: new Date(),
      }).where('id', '=', id).execute();
    },
    /** Deletes the group; its memberships go with it (foreign key cascade). */
    async delete(id: string): Promise<void> {
      if (!isUuid(id)) return;
      await db.deleteFrom('groups').where('id', '=', id).execute();
    },
    /** At most `limit` members with user id > `after`, ordered by user id. */
    async listMembers(groupId: string, options: PageOptions): Promise<GroupMember[]> {
      if (!isUuid(groupId) || (options.after !== undefined && !isUuid(options.after))) return [];
      let query = db.selectFrom('group_members').selectAll().where('group_id', '=', groupId).orderBy('user_id').limit(options.limit);
      if (options.after !== undefined) query = query.where('user_id', '>', options.after);
      return (await query.execute()).map((row) => ({ groupId: row.group_id, userId: row.user_id, addedAt: new Date(row.created_at) }));
    },
    /**
     * Adds a user to a group of the same tenant. Idempotent: false when already a member.
     * Throws GroupMemberError when the two are not in one tenant (or either does not exist),
     * so a membership can never give a role across tenants.
     */
    async addMember(groupId: string, userId: string): Promise<boolean> {
      if (!isUuid(groupId) || !isUuid(userId)) throw new GroupMemberError('no such group and user in one tenant');
      const result = await db.insertInto('group_members')
        .columns(['group_id', 'user_id'])
        .expression(db.selectFrom('groups').innerJoin('users', 'users.tenant_id', 'groups.tenant_id')
          .select(['groups.id', 'users.id']).where('groups.id', '=', groupId).where('users.id', '=', userId))
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) return true;
      const member = await db.selectFrom('group_members').select('user_id')
        .where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      if (!member) throw new GroupMemberError('no such group and user in one tenant');
      return false;
    },
    /** True when the user was a member. */
    async removeMember(groupId: string, userId: string): Promise<boolean> {
      if (!isUuid(groupId) || !isUuid(userId)) return false;
      const result = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    /** The user's groups in one query, ordered by name (the order of the `groups` claim). */
    async groupsOfUser(tenantId: string, userId: string): Promise<UserGroup[]> {
      if (!isUuid(userId)) return [];
      const rows = await db.selectFrom('group_members').innerJoin('groups', 'groups.id', 'group_members.group_id')
        .select(['groups.id', 'groups.name', 'groups.roles'])
        .where('group_members.user_id', '=', userId).where('groups.tenant_id', '=', tenantId)
        .orderBy(sql`lower(groups.name)`).orderBy('groups.id')
        .execute();
      return rows.map((row) => ({ id: row.id, name: row.name, roles: RoleGrantsSchema.parse(row.roles) }));
    },
  };
}

type GroupRow = {
  id: string; tenant_id: string; name: string; description: string | null; roles: unknown;
  created_at: Date | string; updated_at: Date | string;
};

function toGroup(row: GroupRow): Group {
  return {
    id: row.id, tenantId: row.tenant_id, name: row.name, description: row.description, roles: RoleGrantsSchema.parse(row.roles),
    createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
  };
}

export type GroupRepository = ReturnType<typeof createGroupRepository>;
