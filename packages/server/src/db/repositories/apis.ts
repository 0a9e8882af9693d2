import { randomUUID } from 'node:crypto';
import type { Db } from '../database.js';

export interface Permission {
  name: string;
  /** Shown to users on the consent page. */
  description?: string | undefined;
  /** Shown to administrators granting tenant-wide consent; default: `description`. */
  adminDescription?: string | undefined;
}

export interface Api {
  id: string;
  tenantId: string;
  identifier: string;
  name: string;
  scopes: Permission[];
  appRoles: Permission[];
  /** Fixed access-token lifetime; null means a random 60–90 minutes per token. */
  accessTokenTtlSeconds: number | null;
  signingAlg: 'ES256' | 'RS256';
  /** Access tokens for this API carry the user's group names (docs/roles-and-groups.md). */
  groupsClaim: boolean;
  /** Client ids allowed to get tokens for this API; null: any application with a permission or app role on it. */
  allowedClients: string[] | null;
}

/** `groupsClaim` and `allowedClients` left out: false and null on insert, unchanged on update. */
export type ApiInput = Omit<Api, 'id' | 'tenantId' | 'groupsClaim' | 'allowedClients'> & { groupsClaim?: boolean; allowedClients?: string[] | null };

export function createApiRepository(db: Db) {
  const toApi = (row: Awaited<ReturnType<typeof selectAll>>[number]): Api => ({
    id: row.id,
    tenantId: row.tenant_id,
    identifier: row.identifier,
    name: row.name,
    scopes: row.scopes,
    appRoles: row.app_roles,
    accessTokenTtlSeconds: row.access_token_ttl_seconds,
    signingAlg: row.signing_alg === 'RS256' ? 'RS256' : 'ES256',
    groupsClaim: row.groups_claim,
    allowedClients: row.allowed_clients ?? null,
  });
  const selectAll = (tenantId: string) =>
    db.selectFrom('apis').selectAll().where('tenant_id', '=', tenantId).orderBy('identifier').execute();

  return {
    async list(tenantId: string): Promise<Api[]> {
      return (await selectAll(tenantId)).map(toApi);
    },
    async insert(tenantId: string, api: ApiInput): Promise<Api> {
      const id = randomUUID();
      await db.insertInto('apis').values({ id, tenant_id: tenantId, ...toRow(api) }).execute();
      return { id, tenantId, ...api, groupsClaim: api.groupsClaim ?? false, allowedClients: api.allowedClients ?? null };
    },
    async update(id: string, api: ApiInput): Promise<void> {
      await db.updateTable('apis').set(toRow(api)).where('id', '=', id).execute();
    },
  };
}

function toRow(api: ApiInput) {
  return {
    identifier: api.identifier,
    name: api.name,
    scopes: JSON.stringify(api.scopes),
    app_roles: JSON.stringify(api.appRoles),
    access_token_ttl_seconds: api.accessTokenTtlSeconds,
    signing_alg: api.signingAlg,
    groups_claim: api.groupsClaim,
    // SQL NULL, not JSON null, for "any application"; undefined leaves the column as it is.
    ...(api.allowedClients === undefined ? {} : { allowed_clients: api.allowedClients === null ? null : JSON.stringify(api.allowedClients) }),
  };
}

export type ApiRepository = ReturnType<typeof createApiRepository>;
