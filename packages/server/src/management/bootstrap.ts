import { recordAuditEvent } from '../audit/audit-log.js';
import { createApplicationRepository } from '../db/repositories/applications.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { generateClientSecret, hashClientSecret, secretHint } from '../security/client-secrets.js';
import type { Services } from '../server/services.js';
import { MANAGEMENT_API, MANAGEMENT_PERMISSIONS } from './management-api.js';

export const BOOTSTRAP_CLIENT_ID = 'tessera-admin';

export interface BootstrapResult {
  adminTenant: string;
  clientId: string;
  /** Set only when a secret was generated now: printed once, never stored in clear. */
  newSecret?: string;
}

/**
 * The first management credential: the admin tenant (TESSERA_ADMIN_TENANT, default `admin`) with
 * a daemon `tessera-admin` holding every management permission as app roles. Its secret comes
 * from TESSERA_BOOTSTRAP_SECRET (added if not yet stored), or is generated once at first start
 * and returned for printing. Idempotent: a later start changes nothing.
 */
export async function ensureBootstrapCredential(services: Services): Promise<BootstrapResult> {
  const { adminTenant, bootstrapSecret } = services.settings;
  return services.db.transaction().execute(async (trx) => {
    const tenants = createTenantRepository(trx);
    const applications = createApplicationRepository(trx);
    const result: BootstrapResult = { adminTenant, clientId: BOOTSTRAP_CLIENT_ID };
    if (!await tenants.find(adminTenant)) {
      await tenants.insert({ id: adminTenant, name: 'Tessera administration' });
      await recordAuditEvent(trx, { tenantId: adminTenant, type: 'tenant.created', actor: 'bootstrap' });
    }
    let app = await applications.findByClientId(adminTenant, BOOTSTRAP_CLIENT_ID);
    if (!app) {
      await applications.insert(adminTenant, {
        clientId: BOOTSTRAP_CLIENT_ID, name: 'Tessera bootstrap administrator', type: 'daemon', redirectUris: [], postLogoutRedirectUris: [],
        permissions: [], appRoles: [{ api: MANAGEMENT_API, roles: MANAGEMENT_PERMISSIONS.map((p) => p.name) }], idTokenSigningAlg: 'ES256',
      });
      app = (await applications.findByClientId(adminTenant, BOOTSTRAP_CLIENT_ID))!;
      await recordAuditEvent(trx, { tenantId: adminTenant, type: 'application.created', actor: 'bootstrap', subject: BOOTSTRAP_CLIENT_ID });
    }
    const secret = bootstrapSecret ?? (app.secrets.length === 0 ? generateClientSecret() : undefined);
    if (secret !== undefined && !app.secrets.some((s) => s.hash === hashClientSecret(secret))) {
      // No expiry: losing the only administrator credential would lock everyone out. Rotate it with `tessera apps add-secret`.
      await applications.insertSecret(app.id, {
        hash: hashClientSecret(secret), hint: secretHint(secret), expiresAt: null,
        description: bootstrapSecret ? 'from TESSERA_BOOTSTRAP_SECRET' : 'generated at first start',
      });
      await recordAuditEvent(trx, { tenantId: adminTenant, type: 'application.secret_added', actor: 'bootstrap', subject: BOOTSTRAP_CLIENT_ID, data: { hint: secretHint(secret) } });
      await tenants.bumpRevision(adminTenant);
      if (!bootstrapSecret) result.newSecret = secret;
    }
    return result;
  });
}
