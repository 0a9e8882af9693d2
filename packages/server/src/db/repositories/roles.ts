import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../database.js';
import { isUuid } from '../uuid.js';

/**
 * Role definitions (migration 0005, docs/roles-and-groups.md): a named role of one API
 * (`api` = the API identifier) or of the whole tenant (`api` null). Holding a role is
 * recorded where it is granted — users.roles and groups.roles — by (api, name); this table
 * gives the names a description and makes them listable. Name and API never change.
 */
export const RoleSchema = z.object({
  id: z.uuid(),
  tenantId: z.string(),
  api: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.date(),
});
export type Role = z.infer<typeof RoleSchema>;

export interface RoleInput {
  api: string | null;
  name: string;
  description: string | null;
}

/** How many users hold a role directly and how many groups grant it. */
export interface RoleAssignments {
  users: number;
  groups: number;
}

export interface RoleListOptions {
  /** Cursor: the last id of the previous page. */
  after?: string | undefined;
  limit: number;
  /** Only roles of this API; `null`: only tenant-wide roles; left out: all. */
  api?: string | null | undefined;
}


export function createRoleRepository(db: Db) {
  const base = (tenantId: string) => db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId);
  return {
    /** At most `limit` roles with id > `after`, ordered by id. */
    async list(tenantId: string, options: RoleListOptions): Promise<Role[]> {
      if (options.after !== undefined && !isUuid(options.after)) return [];
      let query = base(tenantId).orderBy('id').limit(options.limit);
      if (options.after !== undefined) query = query.where('id', '>', options.after);
      if (options.api === null) query = query.where('api', 'is', null);
      else if (options.api !== undefined) query = query.where('api', '=', options.api);
      return (await query.execute()).map(toRole);
    },
    async find(tenantId: string, id: string): Promise<Role | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await base(tenantId).where('id', '=', id).executeTakeFirst();
      return row && toRole(row);
    },
    /** Role names are case-sensitive, like the `roles` claim values apps compare them with. */
    async findByName(tenantId: string, api: string | null, name: string): Promise<Role | undefined> {
      const query = base(tenantId).where('name', '=', name);
      const row = await (api === null ? query.where('api', 'is', null) : query.where('api', '=', api)).executeTakeFirst();
      return row && toRole(row);
    },
    async insert(tenantId: string, role: RoleInput): Promise<Role> {
      const created = { id: randomUUID(), tenantId, ...role, createdAt: new Date() };
      await db.insertInto('roles').values({
        id: created.id, tenant_id: tenantId, api: role.api, name: role.name, description: role.description, created_at: created.createdAt,
      }).execute();
      return created;
    },
    /** Only the description changes: a role's name and API are what grants refer to. */
    async update(id: string, patch: { description: string | null }): Promise<void> {
      await db.updateTable('roles').set({ description: patch.description }).where('id', '=', id).execute();
    },
    /** Deletes the definition; grants of the name in users.roles and groups.roles are left as they are. */
    async delete(id: string): Promise<void> {
      if (!isUuid(id)) return;
      await db.deleteFrom('roles').where('id', '=', id).execute();
    },
    /** Users holding the role directly and groups granting it (JSON containment on users.roles / groups.roles). */
    async countAssignments(tenantId: string, role: Pick<Role, 'api' | 'name'>): Promise<RoleAssignments> {
      const grant = JSON.stringify([{ api: role.api, roles: [role.name] }]);
      const count = async (table: 'users' | 'groups') => {
        const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tenant_id', '=', tenantId)
          .where(sql<boolean>`roles @> ${grant}::jsonb`)
          .executeTakeFirstOrThrow();
        return Number(row.n);
      };
      return { users: await count('users'), groups: await count('groups') };
    },
  };
}

type RoleRow = {
  id: string; tenant_id: string; api: string | null; name: string; description: string | null; created_at: Date | string;
};

function toRole(row: RoleRow): Role {
  return {
    id: row.id, tenantId: row.tenant_id, api: row.api, name: row.name, description: row.description, createdAt: new Date(row.created_at),
  };
}

export type RoleRepository = ReturnType<typeof createRoleRepository>;
