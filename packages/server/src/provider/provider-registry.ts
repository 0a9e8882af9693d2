import type Provider from 'oidc-provider';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Services } from '../server/services.js';
import { createTenantProvider } from './create-provider.js';
import { loadTenantSnapshot, type TenantSnapshot } from './tenant-snapshot.js';
import type { ProtocolErrorLog } from './unexpected-errors.js';

export interface TenantRuntime {
  provider: Provider;
  snapshot: TenantSnapshot;
}

interface Entry {
  runtime: Promise<TenantRuntime | undefined>;
  revision: number | undefined;
  validUntil: number;
}

const UNKNOWN_TENANT_TTL_MS = 2000;

/**
 * One oidc-provider per tenant, created on first use and cached. An entry is rebuilt when
 * the tenant's revision changes (any node or the CLI changed it; checked every
 * TESSERA_RELOAD_INTERVAL seconds, one small query) or when its key set changes by
 * itself (a rotated key starts signing, an old one leaves the JWKS).
 */
export function createProviderRegistry(services: Services, audit: AuditWriter, options: { log: ProtocolErrorLog; clock?: () => number }) {
  const { log, clock = Date.now } = options;
  const entries = new Map<string, Entry>();

  function build(tenantId: string): Entry {
    const entry: Entry = { runtime: Promise.resolve(undefined), revision: undefined, validUntil: Number.POSITIVE_INFINITY };
    entry.runtime = (async () => {
      const tenant = await services.tenants.find(tenantId);
      if (!tenant) {
        entry.validUntil = clock() + UNKNOWN_TENANT_TTL_MS;
        return undefined;
      }
      const snapshot = await loadTenantSnapshot(services, tenant);
      entry.revision = tenant.revision;
      entry.validUntil = snapshot.keys.validUntil;
      return { provider: createTenantProvider(services, snapshot, audit, log), snapshot };
    })();
    entry.runtime.catch(() => entries.delete(tenantId));
    return entry;
  }

  return {
    /** The tenant's runtime, or undefined when no such tenant exists. */
    get(tenantId: string): Promise<TenantRuntime | undefined> {
      let entry = entries.get(tenantId);
      if (!entry || clock() >= entry.validUntil) {
        entry = build(tenantId);
        entries.set(tenantId, entry);
      }
      return entry.runtime;
    },
    /** Drops a tenant's cached runtime (this node changed it). */
    invalidate(tenantId: string): void {
      entries.delete(tenantId);
    },
    /** Drops runtimes whose tenant changed elsewhere. */
    async refresh(): Promise<void> {
      const revisions = await services.tenants.revisions();
      for (const [tenantId, entry] of entries) {
        if (entry.revision !== undefined && revisions.get(tenantId) !== entry.revision) entries.delete(tenantId);
      }
    },
  };
}

export type ProviderRegistry = ReturnType<typeof createProviderRegistry>;
