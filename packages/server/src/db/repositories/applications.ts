import { randomUUID } from 'node:crypto';
import type { JWK } from 'jose';
import type { Db } from '../database.js';
import { ApplicationMfaSchema, type ApplicationMfa } from '../../config/mfa-settings.js';
import type { ClientCertificate } from '../../security/certificates.js';
import { isUuid } from '../uuid.js';

export const APPLICATION_TYPES = ['web', 'spa', 'native', 'daemon'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** SPAs and native apps run on the user's device: public clients that hold no credential (OAuth 2.1 §2.1). */
export function isPublicClientType(type: string): boolean {
  return type === 'spa' || type === 'native';
}

export interface Application {
  id: string;
  tenantId: string;
  clientId: string;
  name: string;
  type: ApplicationType;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** Delegated scopes the application asks for, per API identifier. */
  permissions: { api: string; scopes: string[] }[];
  /** App roles granted to the application itself (daemons), per API identifier. */
  appRoles: { api: string; roles: string[] }[];
  idTokenSigningAlg: 'ES256' | 'RS256';
  /** Where the logout token is POSTed when a session ends (OIDC Back-Channel Logout 1.0); web apps only. */
  backchannelLogoutUri?: string | null;
  /** The application's own MFA policy over its tenant's (docs/mfa.md); null or absent: the tenant's. */
  mfa?: ApplicationMfa | null;
}

export type ApplicationInput = Omit<Application, 'id' | 'tenantId'>;

export interface StoredSecret {
  id: string;
  hash: string;
  hint: string;
  description: string | null;
  expiresAt: Date | null;
}

export interface StoredCertificate extends ClientCertificate {
  id: string;
}

/** An application with its credentials, as the protocol engine needs it. */
export interface ApplicationWithCredentials extends Application {
  secrets: StoredSecret[];
  certificates: StoredCertificate[];
}

export function createApplicationRepository(db: Db) {
  return {
    async list(tenantId: string): Promise<Application[]> {
      const rows = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId)
        .orderBy('client_id').execute();
      return rows.map(toApplication);
    },

    /** At most `limit` applications with a client id after `after`, by client id, optionally of one type. */
    async page(tenantId: string, options: { after?: string | undefined; limit: number; type?: string | undefined }): Promise<Application[]> {
      const rows = await db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId)
        .$if(options.after !== undefined, (q) => q.where('client_id', '>', options.after!))
        .$if(options.type !== undefined, (q) => q.where('type', '=', options.type!))
        .orderBy('client_id').limit(options.limit).execute();
      return rows.map(toApplication);
    },

    async findByClientId(tenantId: string, clientId: string): Promise<ApplicationWithCredentials | undefined> {
      const row = await db.selectFrom('applications').selectAll()
        .where('tenant_id', '=', tenantId).where('client_id', '=', clientId).executeTakeFirst();
      if (!row) return undefined;
      const [secrets, certificates] = await Promise.all([
        db.selectFrom('application_secrets').selectAll().where('application_id', '=', row.id).execute(),
        db.selectFrom('application_certificates').selectAll().where('application_id', '=', row.id).execute(),
      ]);
      return {
        ...toApplication(row),
        secrets: secrets.map((s) => ({
          id: s.id, hash: s.hash, hint: s.hint, description: s.description, expiresAt: s.expires_at,
        })),
        certificates: certificates.map((c) => ({
          id: c.id,
          jwk: c.jwk as JWK,
          thumbprintSha1: c.thumbprint_sha1,
          thumbprintSha256: c.thumbprint_sha256,
          notAfter: c.not_after,
          pem: c.pem,
        })),
      };
    },

    async insert(tenantId: string, app: ApplicationInput): Promise<Application> {
      const id = randomUUID();
      await db.insertInto('applications').values({ id, tenant_id: tenantId, client_id: app.clientId, ...toRow(app) }).execute();
      return { id, tenantId, ...app };
    },

    async update(id: string, app: ApplicationInput): Promise<void> {
      await db.updateTable('applications').set(toRow(app)).where('id', '=', id).execute();
    },

    async insertSecret(applicationId: string, secret: Omit<StoredSecret, 'id'>): Promise<string> {
      const id = randomUUID();
      await db.insertInto('application_secrets').values({
        id, application_id: applicationId, hash: secret.hash, hint: secret.hint,
        description: secret.description, expires_at: secret.expiresAt,
      }).execute();
      return id;
    },

    /** Deletes one secret of an application; false when it has no such secret. */
    async deleteSecret(applicationId: string, secretId: string): Promise<boolean> {
      if (!isUuid(secretId)) return false;
      const result = await db.deleteFrom('application_secrets')
        .where('application_id', '=', applicationId).where('id', '=', secretId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async insertCertificate(applicationId: string, cert: ClientCertificate): Promise<string> {
      const id = randomUUID();
      await db.insertInto('application_certificates').values({
        id, application_id: applicationId, pem: cert.pem, jwk: JSON.stringify(cert.jwk),
        thumbprint_sha1: cert.thumbprintSha1, thumbprint_sha256: cert.thumbprintSha256, not_after: cert.notAfter,
      }).execute();
      return id;
    },
  };
}

type ApplicationRow = {
  id: string; tenant_id: string; client_id: string; name: string; type: string;
  redirect_uris: string[]; post_logout_redirect_uris: string[];
  permissions: { api: string; scopes: string[] }[]; app_roles: { api: string; roles: string[] }[];
  id_token_signing_alg: string; backchannel_logout_uri: string | null; mfa_policy?: unknown;
};

function toApplication(row: ApplicationRow): Application {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    name: row.name,
    type: row.type as ApplicationType,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    permissions: row.permissions,
    appRoles: row.app_roles,
    idTokenSigningAlg: row.id_token_signing_alg === 'RS256' ? 'RS256' : 'ES256',
    backchannelLogoutUri: row.backchannel_logout_uri,
    mfa: row.mfa_policy ? ApplicationMfaSchema.safeParse(row.mfa_policy).data ?? null : null,
  };
}

function toRow(app: ApplicationInput) {
  return {
    name: app.name,
    type: app.type,
    redirect_uris: JSON.stringify(app.redirectUris),
    post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris),
    permissions: JSON.stringify(app.permissions),
    app_roles: JSON.stringify(app.appRoles),
    id_token_signing_alg: app.idTokenSigningAlg,
    backchannel_logout_uri: app.backchannelLogoutUri ?? null,
    // Absent: unchanged (callers that predate the field keep what is stored).
    ...(app.mfa !== undefined ? { mfa_policy: app.mfa ? JSON.stringify(app.mfa) : null } : {}),
  };
}

export type ApplicationRepository = ReturnType<typeof createApplicationRepository>;
