import { type Kysely } from 'kysely';

/**
 * Management API: a tenant may allow http:// redirect URIs for development (honoured only
 * outside production; docs/management-api.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').addColumn('allow_http_redirect_uris', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('tenants').dropColumn('allow_http_redirect_uris').execute();
}
