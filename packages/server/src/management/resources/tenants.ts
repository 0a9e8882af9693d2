import { z } from 'zod';
import { AccountSettingsSchema, readAccountSettings } from '../../config/account-settings.js';
import { TenantSchema } from '../../config/declarative-config.js';
import { createTenantRepository, type Tenant } from '../../db/repositories/tenants.js';
import { ManagementError, conflict } from '../management-error.js';
import { defineResource, type ManagementContext } from '../resource.js';

const TenantItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  issuer: z.string().describe('the OpenID issuer: {public URL}/{id}'),
  allowHttpRedirectUris: z.boolean().describe('development only: http:// redirect URIs on any host (ignored in production)'),
  accounts: z.record(z.string(), z.unknown()).describe('registration, verification, password policy, limits and mail (docs/accounts.md), defaults filled in'),
  createdAt: z.string(),
});
type TenantItem = z.infer<typeof TenantItemSchema>;

const DisplayName = TenantSchema.shape.name.unwrap();
const Accounts = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  const parsed = AccountSettingsSchema.safeParse(value);
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
});

const TenantCreateSchema = z.strictObject({
  id: TenantSchema.shape.id,
  name: DisplayName.optional(),
  allowHttpRedirectUris: z.boolean().optional(),
  accounts: Accounts.optional(),
});
const TenantUpdateSchema = z.strictObject({
  name: DisplayName.optional(),
  allowHttpRedirectUris: z.boolean().optional(),
  /** Replaces the stored block, as the configuration file does. */
  accounts: Accounts.optional(),
});

const toItem = (tenant: Tenant, publicUrl: string): TenantItem => ({
  id: tenant.id, name: tenant.name, issuer: `${publicUrl}/${tenant.id}`, allowHttpRedirectUris: tenant.allowHttpRedirectUris,
  accounts: tenant.accountSettings as unknown as Record<string, unknown>, createdAt: tenant.createdAt.toISOString(),
});

async function find(ctx: ManagementContext, id: string) {
  const tenant = await createTenantRepository(ctx.db).find(id);
  return tenant && toItem(tenant, ctx.services.publicUrl);
}

/** Tenants: each is its own issuer with its own users, applications and keys. */
export const tenantsResource = defineResource({
  name: 'tenants',
  noun: 'tenant',
  area: 'tenants',
  description: 'Tenants: each is its own OpenID issuer with its own users, applications, APIs and signing keys. Listing, creating and deleting tenants needs a token from the admin tenant.',
  key: { name: 'tenant', description: 'tenant id' },
  keyOf: (item: TenantItem) => item.id,
  tenantScoped: false,
  affectsProvider: true,
  schemas: { item: TenantItemSchema, create: TenantCreateSchema, update: TenantUpdateSchema, filter: z.object({}) },
  async list(ctx, { after, limit }) {
    return (await createTenantRepository(ctx.db).page({ after, limit })).map((tenant) => toItem(tenant, ctx.services.publicUrl));
  },
  get: find,
  async create(ctx, input) {
    const tenants = createTenantRepository(ctx.db);
    if (await tenants.find(input.id)) throw conflict('tenant', 'id', input.id);
    await tenants.insert({ id: input.id, name: input.name ?? input.id });
    if (input.allowHttpRedirectUris !== undefined) await tenants.update(input.id, { allowHttpRedirectUris: input.allowHttpRedirectUris });
    if (input.accounts !== undefined) await tenants.updateAccountSettings(input.id, input.accounts);
    return { item: (await find(ctx, input.id))! };
  },
  async update(ctx, current, patch) {
    const tenants = createTenantRepository(ctx.db);
    // A patch of `accounts` alone (or `{}`) sets no column of the row: an empty SET would be a syntax error (a 500).
    if (patch.name !== undefined || patch.allowHttpRedirectUris !== undefined) {
      await tenants.update(current.id, { name: patch.name, allowHttpRedirectUris: patch.allowHttpRedirectUris });
    }
    if (patch.accounts !== undefined) {
      readAccountSettings(patch.accounts);
      await tenants.updateAccountSettings(current.id, patch.accounts);
    }
    return (await find(ctx, current.id))!;
  },
  async delete(ctx, current) {
    if (current.id === ctx.services.adminTenant) {
      throw new ManagementError(409, 'tenant.is_admin_tenant', `"${current.id}" is the admin tenant: its tokens manage every tenant, so it cannot be deleted`);
    }
    await createTenantRepository(ctx.db).delete(current.id);
  },
});
