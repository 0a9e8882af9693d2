import { z } from 'zod';
import {
  ConsentError, grantAdminConsent, listAdminConsents, listUserConsents, revokeAdminConsent, revokeUserConsent, type AdminConsent,
} from '../../identity/consents.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { CLIENT_ID_PATTERN, PERMISSION_NAME_PATTERN, CONFIG_LIMITS } from '../../config/declarative-config.js';
import { ManagementError, notFound } from '../management-error.js';
import { pageOf } from '../operations.js';
import { defineResource, type ManagementContext } from '../resource.js';

/** A consent refusal in the management API's words: status, code, and the field at fault. */
async function mapConsentError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ConsentError)) throw error;
    const status = error.status === 404 ? 400 : error.status;
    throw new ManagementError(status, error.code, error.message, error.field ? [{ path: `/${error.field}`, message: error.detail ?? error.message }] : undefined);
  }
}

const AdminConsentItemSchema = z.object({
  id: z.string(),
  clientId: z.string(),
  api: z.string().describe('an API identifier, or "openid" for OpenID Connect scopes'),
  scopes: z.array(z.string()),
  grantedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
type AdminConsentItem = z.infer<typeof AdminConsentItemSchema>;

const toItem = (consent: AdminConsent): AdminConsentItem => ({
  ...consent, createdAt: new Date(consent.createdAt).toISOString(), updatedAt: new Date(consent.updatedAt).toISOString(),
});

async function findAdminConsent(ctx: ManagementContext, id: string) {
  const all = await listAdminConsents(ctx.db, ctx.tenantId, { limit: 10_000 });
  const found = all.find((consent) => consent.id === id);
  return found && toItem(found);
}

/** Tenant-wide (admin) consent: nobody in the tenant is asked for these scopes of this application. */
export const adminConsentsResource = defineResource({
  name: 'admin-consents',
  noun: 'admin consent',
  area: 'consents',
  description: 'Tenant-wide consent an administrator gives for an application: no user of the tenant is asked for these scopes. One per application and API (creating again replaces the scopes). Daemons have no delegated consent.',
  key: { name: 'consentId', description: 'the admin consent id' },
  keyOf: (item: AdminConsentItem) => item.id,
  schemas: {
    item: AdminConsentItemSchema,
    create: z.strictObject({
      clientId: z.string().regex(CLIENT_ID_PATTERN, 'must be a client id'),
      api: z.string().min(1).max(2048),
      scopes: z.array(z.string().regex(PERMISSION_NAME_PATTERN, 'must be a scope name (no spaces)')).min(1).max(CONFIG_LIMITS.namesPerGrant),
    }),
    filter: z.object({ clientId: z.string().max(128).optional() }),
  },
  async list(ctx, { after, limit, clientId }) {
    return (await listAdminConsents(ctx.db, ctx.tenantId, { ...(after === undefined ? {} : { after }), limit, ...(clientId === undefined ? {} : { clientId: String(clientId) }) })).map(toItem);
  },
  get: findAdminConsent,
  async create(ctx, input) {
    return { item: toItem(await mapConsentError(() => grantAdminConsent(ctx.db, ctx.tenantId, input, ctx.actor))) };
  },
  async delete(ctx, current) {
    await revokeAdminConsent(ctx.db, ctx.tenantId, current.id, ctx.actor);
  },
});

const UserConsentItemSchema = z.object({
  clientId: z.string(),
  applicationName: z.string(),
  scopes: z.array(z.string()).describe('OpenID Connect scopes'),
  apis: z.array(z.object({ api: z.string(), apiName: z.string(), scopes: z.array(z.object({ name: z.string(), description: z.string() })) })),
});
type UserConsentItem = z.infer<typeof UserConsentItemSchema>;

async function consentsOf(ctx: ManagementContext): Promise<UserConsentItem[]> {
  const user = await createUserRepository(ctx.db).find(ctx.tenantId, ctx.parentKey ?? '');
  if (!user) throw notFound('user', ctx.parentKey ?? '');
  const consents = await listUserConsents(ctx.db, ctx.tenantId, user.id);
  return consents.map(({ clientId, applicationName, scopes, apis }) => ({ clientId, applicationName, scopes, apis }));
}

/** What a user consented to, per application; deleting one revokes it and its refresh tokens. */
export const userConsentsResource = defineResource({
  name: 'consents',
  noun: 'user consent',
  area: 'consents',
  description: "A user's consents, per application, in the APIs' words. Deleting one revokes it: the application's refresh tokens for the user stop working and the next sign-in asks again.",
  key: { name: 'clientId', description: 'the application the user consented to' },
  keyOf: (item: UserConsentItem) => item.clientId,
  parent: { name: 'users', key: 'userId', noun: 'user' },
  schemas: { item: UserConsentItemSchema },
  async list(ctx, { after, limit }) {
    return pageOf(await consentsOf(ctx), (c) => c.clientId, { after, limit });
  },
  async get(ctx, clientId) {
    return (await consentsOf(ctx)).find((c) => c.clientId === clientId);
  },
  async delete(ctx, current) {
    await revokeUserConsent(ctx.db, ctx.tenantId, ctx.parentKey ?? '', current.clientId, { actor: ctx.actor });
  },
});
