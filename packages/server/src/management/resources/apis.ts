import { z } from 'zod';
import { ApiSchema, SIGNING_ALG_VALUES } from '../../config/declarative-config.js';
import { createApiRepository, type Api, type ApiInput } from '../../db/repositories/apis.js';
import { createApplicationRepository } from '../../db/repositories/applications.js';
import { ManagementError, conflict, invalidField } from '../management-error.js';
import { pageOf } from '../operations.js';
import { defineResource, type ManagementContext } from '../resource.js';

const PermissionItem = z.object({ name: z.string(), description: z.string().optional(), adminDescription: z.string().optional() });
const ApiItemSchema = z.object({
  id: z.string(),
  identifier: z.string().describe('the audience of its access tokens, e.g. api://weather'),
  name: z.string(),
  scopes: z.array(PermissionItem).describe('delegated permissions; the description is what the consent page shows'),
  appRoles: z.array(PermissionItem).describe('app roles an administrator assigns to applications (daemons)'),
  accessTokenLifetime: z.number().nullable().describe('seconds; null: a random 60–90 minutes per token'),
  signingAlg: z.enum(SIGNING_ALG_VALUES),
  groupsClaim: z.boolean(),
  allowedClients: z.array(z.string()).nullable().describe('client ids allowed to get tokens for this API; null: any application with a permission or app role on it'),
});
type ApiItem = z.infer<typeof ApiItemSchema>;

const ApiUpdateSchema = ApiSchema.partial().extend({ accessTokenLifetime: ApiSchema.shape.accessTokenLifetime.unwrap().nullable().optional() });

const toItem = (api: Api): ApiItem => ({
  id: api.id, identifier: api.identifier, name: api.name, scopes: api.scopes, appRoles: api.appRoles,
  accessTokenLifetime: api.accessTokenTtlSeconds, signingAlg: api.signingAlg, groupsClaim: api.groupsClaim,
  allowedClients: api.allowedClients ?? null,
});

/** 400 at `/allowedClients/N` for a client id that is no application of the tenant. */
async function assertAllowedClientsExist(ctx: ManagementContext, allowedClients: string[] | null | undefined): Promise<void> {
  if (!allowedClients?.length) return;
  const known = new Set((await createApplicationRepository(ctx.db).list(ctx.tenantId)).map((app) => app.clientId));
  const index = allowedClients.findIndex((clientId) => !known.has(clientId));
  if (index !== -1) throw invalidField(`/allowedClients/${index}`, `no application "${allowedClients[index]}" in this tenant`);
}

async function all(ctx: ManagementContext): Promise<Api[]> {
  return createApiRepository(ctx.db).list(ctx.tenantId);
}

/**
 * What applications still use of an API: a scope or app role cannot disappear (and the API
 * cannot be deleted or renamed) while an application is granted it.
 */
async function assertNotInUse(ctx: ManagementContext, api: Api, next: ApiInput | undefined): Promise<void> {
  const scopes = new Set(next?.identifier === api.identifier ? next.scopes.map((s) => s.name) : []);
  const roles = new Set(next?.identifier === api.identifier ? next.appRoles.map((r) => r.name) : []);
  const users: string[] = [];
  for (const app of await createApplicationRepository(ctx.db).list(ctx.tenantId)) {
    const lost = [
      ...app.permissions.filter((p) => p.api === api.identifier).flatMap((p) => p.scopes.filter((s) => !scopes.has(s))),
      ...app.appRoles.filter((r) => r.api === api.identifier).flatMap((r) => r.roles.filter((s) => !roles.has(s))),
    ];
    if (lost.length) users.push(`${app.clientId} (${[...new Set(lost)].join(', ')})`);
  }
  if (users.length) {
    throw new ManagementError(409, 'api.in_use', `applications are granted what this change removes: ${users.join('; ')}. Change those applications first.`);
  }
}

/** APIs (resource servers): identifier, delegated scopes, app roles, token lifetime and signing algorithm. */
export const apisResource = defineResource({
  name: 'apis',
  noun: 'api',
  area: 'apis',
  description: 'APIs (resource servers): the identifier is the audience of their access tokens; scopes are delegated permissions (with the words the consent page shows), app roles are assigned to applications. The built-in tessera:management API is not listed.',
  key: { name: 'apiId', description: 'the API id (not its identifier URI, which may contain slashes)' },
  keyOf: (item: ApiItem) => item.id,
  affectsProvider: true,
  schemas: { item: ApiItemSchema, create: ApiSchema, update: ApiUpdateSchema, filter: z.object({ identifier: z.string().max(2048).optional() }) },
  async list(ctx, { after, limit, identifier }) {
    const apis = (await all(ctx)).filter((api) => identifier === undefined || api.identifier === identifier);
    return pageOf(apis, (api) => api.id, { after, limit }).map(toItem);
  },
  async get(ctx, id) {
    const api = (await all(ctx)).find((a) => a.id === id);
    return api && toItem(api);
  },
  async create(ctx, input) {
    if ((await all(ctx)).some((api) => api.identifier === input.identifier)) throw conflict('api', 'identifier', input.identifier);
    await assertAllowedClientsExist(ctx, input.allowedClients);
    const api = await createApiRepository(ctx.db).insert(ctx.tenantId, {
      identifier: input.identifier, name: input.name, scopes: input.scopes ?? [], appRoles: input.appRoles ?? [],
      accessTokenTtlSeconds: input.accessTokenLifetime ?? null, signingAlg: input.signingAlg ?? 'ES256', groupsClaim: input.groupsClaim ?? false,
      allowedClients: input.allowedClients ?? null,
    });
    return { item: toItem(api) };
  },
  async update(ctx, current, patch) {
    const apis = await all(ctx);
    const stored = apis.find((a) => a.id === current.id)!;
    if (patch.identifier !== undefined && patch.identifier !== stored.identifier && apis.some((a) => a.identifier === patch.identifier)) {
      throw conflict('api', 'identifier', patch.identifier);
    }
    const next: ApiInput = {
      identifier: patch.identifier ?? stored.identifier, name: patch.name ?? stored.name,
      scopes: patch.scopes ?? stored.scopes, appRoles: patch.appRoles ?? stored.appRoles,
      accessTokenTtlSeconds: patch.accessTokenLifetime === undefined ? stored.accessTokenTtlSeconds : patch.accessTokenLifetime,
      signingAlg: patch.signingAlg ?? stored.signingAlg, groupsClaim: patch.groupsClaim ?? stored.groupsClaim,
      allowedClients: patch.allowedClients === undefined ? stored.allowedClients : patch.allowedClients,
    };
    await assertAllowedClientsExist(ctx, patch.allowedClients);
    await assertNotInUse(ctx, stored, next);
    await createApiRepository(ctx.db).update(stored.id, next);
    return toItem({ ...stored, ...next, groupsClaim: next.groupsClaim ?? stored.groupsClaim });
  },
  async delete(ctx, current) {
    const stored = (await all(ctx)).find((a) => a.id === current.id)!;
    await assertNotInUse(ctx, stored, undefined);
    await ctx.db.deleteFrom('apis').where('tenant_id', '=', ctx.tenantId).where('id', '=', current.id).execute();
  },
});
