import { type Kysely } from 'kysely';

/**
 * `apis.allowed_clients`: the client ids allowed to get tokens for the API (a JSON array of
 * strings). Null: any application holding a permission or app role for it may.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('apis').addColumn('allowed_clients', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('apis').dropColumn('allowed_clients').execute();
}
