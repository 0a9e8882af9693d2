import type { ColumnType, JSONColumnType } from 'kysely';

/** Kysely table types for groups, group members and role definitions (migration 0005). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** A role grant: names per API identifier, or tenant-wide (`api: null`). Same shape as users.roles. */
export type RoleGrantRow = { api: string | null; roles: string[] };

export interface RolesTable {
  id: string;
  tenant_id: string;
  /** An API identifier; null: a tenant-wide role (in tokens for every API of the tenant). */
  api: string | null;
  name: string;
  description: string | null;
  created_at: Timestamp;
}

export interface GroupsTable {
  id: string;
  tenant_id: string;
  /** Unique per tenant, case-insensitively. */
  name: string;
  description: string | null;
  /** Validated with RoleGrantsSchema where read. */
  roles: JSONColumnType<RoleGrantRow[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
  created_at: Timestamp;
}

export interface GroupsRolesTables {
  roles: RolesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
}
