import type { Api } from '../db/repositories/apis.js';
import type { ApplicationWithCredentials } from '../db/repositories/applications.js';
import type { Tenant } from '../db/repositories/tenants.js';
import type { KeySet } from '../keys/signing-keys.js';
import type { Services } from '../server/services.js';
import { managementApi } from '../management/management-api.js';

/**
 * What a tenant's provider reads on the hot path, loaded once per tenant revision:
 * the tenant, its APIs, its signing keys, and its applications (lazily, then cached).
 * A change to any of them bumps the tenant revision, which replaces the snapshot.
 */
export interface TenantSnapshot {
  tenant: Tenant;
  issuer: string;
  apis: Map<string, Api>;
  keys: KeySet;
  findApplication(clientId: string): Promise<ApplicationWithCredentials | undefined>;
}

export async function loadTenantSnapshot(services: Services, tenant: Tenant): Promise<TenantSnapshot> {
  await services.signingKeys.ensure(tenant.id);
  const [apis, keys] = await Promise.all([
    services.apis.list(tenant.id),
    services.signingKeys.load(tenant.id),
  ]);
  const applications = new Map<string, Promise<ApplicationWithCredentials | undefined>>();
  return {
    tenant,
    issuer: `${services.settings.publicUrl}/${tenant.id}`,
    // Every tenant has the built-in management API besides its own.
    apis: new Map([...apis, managementApi(tenant.id)].map((api) => [api.identifier, api])),
    keys,
    findApplication(clientId) {
      let found = applications.get(clientId);
      if (!found) {
        // Unknown ids are cached too, but the map is bounded so random ids cannot grow it.
        if (applications.size > 10_000) applications.clear();
        found = services.applications.findByClientId(tenant.id, clientId);
        applications.set(clientId, found);
        found.catch(() => applications.delete(clientId));
      }
      return found;
    },
  };
}
