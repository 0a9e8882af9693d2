import { sql, type Kysely } from 'kysely';

/**
 * Sign-in factors beyond the password (docs/mfa.md): one row per enrolled factor (a TOTP
 * authenticator, a passkey, a phone for SMS codes), the user's single-use recovery codes (hashes
 * only), "remember this device" grants (hashes only, revocable), and an application's own MFA
 * policy overriding its tenant's.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('user_factors')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // A TOTP secret, AES-256-GCM under the master key (security/key-encryption.ts), bound to the row.
    .addColumn('secret', 'text')
    // Passkeys: the credential id (base64url), its COSE public key (base64url) and signature counter.
    .addColumn('credential_id', 'text')
    .addColumn('public_key', 'text')
    .addColumn('counter', 'bigint', (c) => c.notNull().defaultTo(0))
    // TOTP: the last time step accepted, so each code is usable once (RFC 6238 §5.2).
    .addColumn('last_step', 'bigint')
    // What else the factor needs: transports, AAGUID, backup state; the phone number of an SMS factor.
    .addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // A factor is pending until its enrolment is confirmed (a TOTP code, an SMS code).
    .addColumn('confirmed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('user_factors_user').on('user_factors').columns(['user_id', 'kind']).execute();
  await db.schema.createIndex('user_factors_credential').on('user_factors').columns(['tenant_id', 'credential_id']).unique()
    .where(sql.ref('credential_id'), 'is not', null).execute();

  await db.schema.createTable('recovery_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('recovery_codes_user').on('recovery_codes').columns(['user_id', 'code_hash']).unique().execute();

  await db.schema.createTable('remembered_devices')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_agent', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('remembered_devices_user').on('remembered_devices').column('user_id').execute();

  await db.schema.alterTable('applications').addColumn('mfa_policy', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('applications').dropColumn('mfa_policy').execute();
  await db.schema.dropTable('remembered_devices').execute();
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.dropTable('user_factors').execute();
}
