import { sql } from 'kysely';
import { z } from 'zod';
import { ApplicationFieldsSchema, SIGNING_ALG_VALUES } from '../../config/declarative-config.js';
import { ApplicationMfaSchema, type ApplicationMfa } from '../../config/mfa-settings.js';
import { createApplicationRepository, isPublicClientType, type Application, type ApplicationInput } from '../../db/repositories/applications.js';
import { DEFAULT_SECRET_LIFETIME_DAYS } from '../../security/client-secret-expiry.js';
import { generateClientSecret, hashClientSecret, secretHint } from '../../security/client-secrets.js';
import { conflict } from '../management-error.js';
import { defineResource, type ManagementContext } from '../resource.js';
import { assertApplicationValid, corsOriginsOf } from './application-rules.js';

const ApplicationItemSchema = z.object({
  clientId: z.string(),
  name: z.string(),
  type: z.enum(['web', 'spa', 'native', 'daemon']),
  public: z.boolean().describe('spa and native apps are public clients: PKCE, no credential'),
  redirectUris: z.array(z.string()),
  postLogoutRedirectUris: z.array(z.string()),
  corsOrigins: z.array(z.string()).describe('derived from the redirect URIs of an SPA; read-only'),
  permissions: z.array(z.object({ api: z.string(), scopes: z.array(z.string()) })),
  appRoles: z.array(z.object({ api: z.string(), roles: z.array(z.string()) })),
  idTokenSigningAlg: z.enum(SIGNING_ALG_VALUES),
  backchannelLogoutUri: z.string().nullable(),
  mfa: ApplicationMfaSchema.nullable().describe("this application's MFA policy and factors over the tenant's accounts.mfa (docs/mfa.md); null: the tenant's. On update, replaces the stored override; null clears it"),
});
type ApplicationItem = z.infer<typeof ApplicationItemSchema>;

const ApplicationCreateSchema = ApplicationFieldsSchema.omit({ secrets: true, certificates: true });
const ApplicationUpdateSchema = ApplicationFieldsSchema.omit({ clientId: true, type: true, secrets: true, certificates: true })
  .extend({ backchannelLogoutUri: ApplicationFieldsSchema.shape.backchannelLogoutUri.unwrap().nullable().optional() });

function toItem(app: Application): ApplicationItem {
  return {
    clientId: app.clientId, name: app.name, type: app.type, public: isPublicClientType(app.type),
    redirectUris: app.redirectUris, postLogoutRedirectUris: app.postLogoutRedirectUris, corsOrigins: corsOriginsOf(app),
    permissions: app.permissions, appRoles: app.appRoles, idTokenSigningAlg: app.idTokenSigningAlg,
    backchannelLogoutUri: app.backchannelLogoutUri ?? null, mfa: mfaItem(app.mfa),
  };
}

/** Fields in one order whatever the database returned (jsonb reorders keys), so the ETag of the same override is the same. */
function mfaItem(mfa: ApplicationMfa | null | undefined): ApplicationMfa | null {
  if (!mfa) return null;
  return { ...(mfa.policy === undefined ? {} : { policy: mfa.policy }), ...(mfa.factors === undefined ? {} : { factors: mfa.factors }) };
}

function toInput(item: ApplicationItem): ApplicationInput {
  const { public: _p, corsOrigins: _c, ...input } = item;
  return input;
}

async function find(ctx: ManagementContext, clientId: string) {
  const app = await createApplicationRepository(ctx.db).findByClientId(ctx.tenantId, clientId);
  return app && toItem(app);
}

/** Applications (OAuth clients): web, spa, native and daemon, each with the protocol defaults of its type. */
export const applicationsResource = defineResource({
  name: 'applications',
  noun: 'application',
  area: 'applications',
  description: 'Applications (OAuth clients). web and daemon apps are confidential (secrets, certificates); spa and native apps are public (PKCE). A new confidential app gets its first secret in the create response, shown once.',
  key: { name: 'clientId', description: 'the client_id' },
  keyOf: (item: ApplicationItem) => item.clientId,
  affectsProvider: true,
  schemas: {
    item: ApplicationItemSchema, create: ApplicationCreateSchema, update: ApplicationUpdateSchema,
    filter: z.object({ type: z.enum(['web', 'spa', 'native', 'daemon']).optional() }),
  },
  async list(ctx, { after, limit, type }) {
    return (await createApplicationRepository(ctx.db).page(ctx.tenantId, { after, limit, type: type as string | undefined })).map(toItem);
  },
  get: find,
  async create(ctx, input) {
    const applications = createApplicationRepository(ctx.db);
    if (await applications.findByClientId(ctx.tenantId, input.clientId)) throw conflict('application', 'clientId', input.clientId);
    await assertApplicationValid(ctx, input);
    const app = await applications.insert(ctx.tenantId, {
      clientId: input.clientId, name: input.name ?? input.clientId, type: input.type,
      redirectUris: input.redirectUris ?? [], postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
      permissions: input.permissions ?? [], appRoles: input.appRoles ?? [], idTokenSigningAlg: input.idTokenSigningAlg ?? 'ES256',
      backchannelLogoutUri: input.backchannelLogoutUri ?? null, mfa: input.mfa ?? null,
    });
    if (isPublicClientType(app.type)) return { item: toItem(app) };
    // A confidential client is unusable without a credential: it gets its first secret now, shown once (as Auth0 does).
    const secret = generateClientSecret();
    const expiresAt = new Date(ctx.now.getTime() + DEFAULT_SECRET_LIFETIME_DAYS * 86_400_000);
    await applications.insertSecret(app.id, { hash: hashClientSecret(secret), hint: secretHint(secret), description: 'created with the application', expiresAt });
    return { item: toItem(app), shownOnce: { clientSecret: secret, clientSecretExpiresAt: expiresAt.toISOString() } };
  },
  async update(ctx, current, patch) {
    const next = { ...toInput(current), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as ApplicationInput;
    await assertApplicationValid(ctx, { ...next, backchannelLogoutUri: next.backchannelLogoutUri ?? undefined });
    const applications = createApplicationRepository(ctx.db);
    const stored = (await applications.findByClientId(ctx.tenantId, current.clientId))!;
    await applications.update(stored.id, next);
    return (await find(ctx, current.clientId))!;
  },
  async delete(ctx, current) {
    await ctx.db.deleteFrom('applications').where('tenant_id', '=', ctx.tenantId).where('client_id', '=', current.clientId).execute();
    // Its grants and tokens go with it: nothing it was issued stays usable.
    await ctx.db.deleteFrom('oidc_payloads').where('tenant_id', '=', ctx.tenantId)
      .where(sql<string>`payload->>'clientId'`, '=', current.clientId).execute();
  },
});
