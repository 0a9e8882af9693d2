import { type Kysely } from 'kysely';

/**
 * OpenID Connect Back-Channel Logout 1.0 §2.2: an application's `backchannel_logout_uri`,
 * where the server POSTs a logout token when the user's session ends. Null: none registered.
 * There is no `backchannel_logout_session_required` column: the token always carries `sid`
 * (see provider/backchannel-logout.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('backchannel_logout_uri', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('applications').dropColumn('backchannel_logout_uri').execute();
}
