import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { GroupsRolesTables } from './schema-groups-roles.js';
import type { ConsentTables } from './schema-consents.js';
import type { FactorTables } from './schema-factors.js';

/** Kysely table types. JSON columns are validated with zod where they are read (repositories). */
/** Insert is optional where the column has a default. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface TenantsTable {
  id: string;
  name: string;
  /** Random per-tenant salt for pairwise subject identifiers; never changes. */
  pairwise_salt: string;
  /** Bumped on every change that cached providers depend on (apps, APIs, keys). */
  revision: Generated<number>;
  /** Validated with AccountSettingsSchema where read; `{}` means every default. */
  account_settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** Development only: http:// redirect URIs on any host (migration 0007). */
  allow_http_redirect_uris: Generated<boolean>;
  created_at: Timestamp;
}

export interface ApisTable {
  id: string;
  tenant_id: string;
  identifier: string;
  name: string;
  scopes: JSONColumnType<{ name: string; description?: string | undefined; adminDescription?: string | undefined }[]>;
  app_roles: JSONColumnType<{ name: string; description?: string | undefined; adminDescription?: string | undefined }[]>;
  access_token_ttl_seconds: number | null;
  signing_alg: string;
  /** Access tokens for this API carry the user's group names (migration 0005). */
  groups_claim: Generated<boolean>;
  /** Client ids allowed to get tokens for the API (migration 0008); null: any with a permission or app role. */
  allowed_clients: ColumnType<string[] | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface ApplicationsTable {
  id: string;
  tenant_id: string;
  client_id: string;
  name: string;
  type: string;
  redirect_uris: JSONColumnType<string[]>;
  post_logout_redirect_uris: JSONColumnType<string[]>;
  permissions: JSONColumnType<{ api: string; scopes: string[] }[]>;
  app_roles: JSONColumnType<{ api: string; roles: string[] }[]>;
  id_token_signing_alg: string;
  /** OpenID Connect Back-Channel Logout 1.0 (migration 0004); null: none. */
  backchannel_logout_uri: string | null;
  /** The application's own MFA policy (migration 0009); null: the tenant's. */
  mfa_policy: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface ApplicationSecretsTable {
  id: string;
  application_id: string;
  /** SHA-256 of the secret, hex. Secrets are high-entropy, so a fast hash is right here. */
  hash: string;
  hint: string;
  description: string | null;
  expires_at: Timestamp | null;
  created_at: Timestamp;
}

export interface ApplicationCertificatesTable {
  id: string;
  application_id: string;
  pem: string | null;
  jwk: JSONColumnType<Record<string, unknown>>;
  thumbprint_sha1: string;
  thumbprint_sha256: string;
  not_after: Timestamp | null;
  created_at: Timestamp;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  username: string | null;
  email: string | null;
  email_verified: Generated<boolean>;
  name: string | null;
  password_hash: string | null;
  /** `api: null` is a tenant-wide role (migration 0005). */
  roles: JSONColumnType<{ api: string | null; roles: string[] }[]>;
  disabled: Generated<boolean>;
  /** Changes with the password or email; links and sessions made under an older stamp are void. */
  security_stamp: Generated<string>;
  password_changed_at: Timestamp | null;
  last_sign_in_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  alg: string;
  public_jwk: JSONColumnType<Record<string, unknown>>;
  /** AES-256-GCM under the master key: base64url(iv).base64url(tag).base64url(ciphertext). */
  private_jwk_encrypted: string;
  created_at: Timestamp;
  /** Published in the JWKS from creation; used for signing from this time. */
  activates_at: Timestamp;
  /** Set when a newer key takes over signing. */
  retires_at: Timestamp | null;
  /** Removed from the JWKS from this time (retires_at + longest token lifetime). */
  expires_at: Timestamp | null;
}

export interface OidcPayloadsTable {
  tenant_id: string;
  model: string;
  id: string;
  payload: JSONColumnType<Record<string, unknown>>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

export interface AuditEventsTable {
  id: Generated<string>;
  tenant_id: string | null;
  type: string;
  outcome: string;
  actor: string | null;
  subject: string | null;
  client_id: string | null;
  correlation_id: string | null;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface FlowsTable {
  id: string;
  tenant_id: string;
  /** registration | login | verification | recovery | settings */
  type: string;
  state: string;
  user_id: string | null;
  /** The oidc-provider interaction a login or registration flow completes, if any. */
  interaction_uid: string | null;
  /** The form to show: JSON, validated with FlowUiSchema where read. */
  ui: ColumnType<Record<string, unknown>, string | undefined, string>;
  /** Flow-specific state that is not shown (never a password or a raw token). */
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  expires_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AccountTokensTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** verify_email | reset_password | unblock | change_email */
  purpose: string;
  /** SHA-256 of the link token or code, hex: the token itself is only ever in the email. */
  token_hash: string;
  security_stamp: string;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  created_at: Timestamp;
}

export interface AccountSessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** SHA-256 of the session token (cookie or bearer), hex. */
  token_hash: string;
  security_stamp: string;
  amr: ColumnType<string[], string | undefined, string>;
  authenticated_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
}

export interface MailOutboxTable {
  id: Generated<string>;
  tenant_id: string | null;
  recipient: string;
  subject: string;
  template: string;
  text_body: string;
  html_body: string;
  created_at: Timestamp;
}

/** Tables of one concern live in their own schema file (schema-*.ts) and are joined here. */
export interface Database extends GroupsRolesTables, ConsentTables, FactorTables {
  tenants: TenantsTable;
  apis: ApisTable;
  applications: ApplicationsTable;
  application_secrets: ApplicationSecretsTable;
  application_certificates: ApplicationCertificatesTable;
  users: UsersTable;
  signing_keys: SigningKeysTable;
  oidc_payloads: OidcPayloadsTable;
  audit_events: AuditEventsTable;
  flows: FlowsTable;
  account_tokens: AccountTokensTable;
  account_sessions: AccountSessionsTable;
  mail_outbox: MailOutboxTable;
  rate_limits: RateLimitsTable;
}

/** Counters of the database rate-limit store (migration 0003); keys are hashes. */
export interface RateLimitsTable {
  key: string;
  points: number;
  /** Epoch milliseconds (bigint: returned as a string); null never expires. */
  expire: ColumnType<string | null, number | null, number | null>;
}
