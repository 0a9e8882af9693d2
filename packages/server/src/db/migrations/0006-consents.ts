import { sql, type Kysely } from 'kysely';

/**
 * Tenant-wide (admin) consent per application: an administrator consents, for every user of
 * the tenant, to some scopes of one API (or of OpenID Connect, `api` = `openid`) on behalf of
 * one application. One row per application and API; granting again replaces the scopes.
 * Users' own consents are oidc-provider Grants in `oidc_payloads`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('admin_consents')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('application_id', 'uuid', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('api', 'text', (c) => c.notNull())
    .addColumn('scopes', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('admin_consents_application_api', ['application_id', 'api'])
    .execute();
  await db.schema.createIndex('admin_consents_tenant_id').on('admin_consents').columns(['tenant_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('admin_consents').execute();
}
