import { sql, type Kysely } from 'kysely';

/**
 * Groups, group members and role definitions (docs/roles-and-groups.md).
 * - `roles`: named roles, per API (`api` = its identifier) or tenant-wide (`api` null). One name
 *   per (tenant, api); the unique index folds NULL to '' so two tenant-wide roles cannot share a name.
 * - `groups`: unique per tenant case-insensitively, like usernames; `roles` is JSON
 *   `[{ api: string | null, roles: string[] }]`, the same shape as `users.roles`.
 * - `group_members`: who is in which group; looked up by user on every token (index on user_id).
 * - `apis.groups_claim`: access tokens for the API carry the user's group names.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('roles')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('api', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index roles_tenant_api_name on roles (tenant_id, coalesce(api, ''), name)`.execute(db);

  await db.schema.createTable('groups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('roles', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index groups_tenant_name on groups (tenant_id, lower(name))`.execute(db);

  await db.schema.createTable('group_members')
    .addColumn('group_id', 'uuid', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute();

  await db.schema.alterTable('apis').addColumn('groups_claim', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('apis').dropColumn('groups_claim').execute();
  for (const table of ['group_members', 'groups', 'roles']) await db.schema.dropTable(table).ifExists().execute();
}
