import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { readAccountSettings, type AccountSettings, type AccountSettingsInput } from '../../config/account-settings.js';
import type { Db } from '../database.js';

export interface Tenant {
  id: string;
  name: string;
  pairwiseSalt: string;
  revision: number;
  /** Registration, verification, password policy, limits and mail of this tenant (defaults filled in). */
  accountSettings: AccountSettings;
  /** Development only: http:// redirect URIs on any host; ignored in production. */
  allowHttpRedirectUris: boolean;
  createdAt: Date;
}

/** Tenant ids: DNS-label-like, so they are safe in URLs and issuers. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

/** Our own top-level routes; a tenant may not take these names. */
export const RESERVED_TENANT_IDS = new Set([
  'api', 'console', 'assets', 'healthz', 'readyz', 'metrics', '.well-known', 'favicon.ico', 'robots.txt', 'dev',
]);

export function isValidTenantId(id: string): boolean {
  return TENANT_ID_PATTERN.test(id) && !RESERVED_TENANT_IDS.has(id);
}

export function createTenantRepository(db: Db) {
  return {
    async find(id: string): Promise<Tenant | undefined> {
      const row = await db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTenant(row);
    },
    /** At most `limit` tenants with an id after `after`, by id (a page of the management API). */
    async page(options: { after?: string | undefined; limit: number }): Promise<Tenant[]> {
      const rows = await db.selectFrom('tenants').selectAll()
        .$if(options.after !== undefined, (q) => q.where('id', '>', options.after!))
        .orderBy('id').limit(options.limit).execute();
      return rows.map(toTenant);
    },
    async list(): Promise<Tenant[]> {
      const rows = await db.selectFrom('tenants').selectAll().orderBy('id').execute();
      return rows.map(toTenant);
    },
    /** Revisions of every tenant, for cache invalidation across server nodes. */
    async revisions(): Promise<Map<string, number>> {
      const rows = await db.selectFrom('tenants').select(['id', 'revision']).execute();
      return new Map(rows.map((row) => [row.id, row.revision]));
    },
    async insert(tenant: { id: string; name: string }): Promise<void> {
      await db.insertInto('tenants')
        .values({ id: tenant.id, name: tenant.name, pairwise_salt: randomBytes(32).toString('base64url') })
        .execute();
    },
    async update(id: string, changes: { name?: string; allowHttpRedirectUris?: boolean }): Promise<void> {
      await db.updateTable('tenants').set({ name: changes.name, allow_http_redirect_uris: changes.allowHttpRedirectUris }).where('id', '=', id).execute();
    },
    /** Deletes the tenant and, by cascade, everything in it. */
    async delete(id: string): Promise<void> {
      await db.deleteFrom('tenants').where('id', '=', id).execute();
    },
    /** Replaces the stored account settings (the `accounts:` block as written; defaults fill the rest on read). */
    async updateAccountSettings(id: string, settings: AccountSettingsInput): Promise<void> {
      await db.updateTable('tenants').set({ account_settings: JSON.stringify(settings) }).where('id', '=', id).execute();
    },
    /** Marks the tenant changed, so every server node rebuilds what it cached for it. */
    async bumpRevision(id: string): Promise<void> {
      await db.updateTable('tenants').set({ revision: sql`revision + 1` }).where('id', '=', id).execute();
    },
  };
}

function toTenant(row: {
  id: string; name: string; pairwise_salt: string; revision: number; account_settings: unknown; allow_http_redirect_uris: boolean; created_at: Date;
}): Tenant {
  return {
    id: row.id, name: row.name, pairwiseSalt: row.pairwise_salt, revision: row.revision,
    accountSettings: readAccountSettings(row.account_settings),
    allowHttpRedirectUris: row.allow_http_redirect_uris, createdAt: new Date(row.created_at),
  };
}

export type TenantRepository = ReturnType<typeof createTenantRepository>;
