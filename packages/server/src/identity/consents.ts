import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { recordAuditEvent } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { OIDC_SCOPE_SET, splitScope } from '../provider/oidc-scopes.js';
import { isUuid } from '../db/uuid.js';

/** The pseudo-API of an admin consent to OpenID Connect scopes (`openid profile email offline_access`). */
export const OIDC_CONSENT_API = 'openid';

/** A tenant-wide consent: every user of the tenant is taken to have consented to `scopes` of `api` for `clientId`. */
export interface AdminConsent {
  id: string;
  clientId: string;
  /** An API identifier of the tenant, or `openid` (OIDC_CONSENT_API) for OpenID Connect scopes. */
  api: string;
  scopes: string[];
  grantedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What one user consented to for one application (the union of that user's oidc-provider Grants for it). */
export interface UserConsent {
  clientId: string;
  applicationName: string;
  /** The most recent of the user's grants for this application. */
  grantId: string;
  /** OpenID Connect scopes (`openid`, `profile`…). */
  scopes: string[];
  apis: { api: string; apiName: string; scopes: { name: string; description: string }[] }[];
  createdAt?: Date;
}

/** A refused consent operation; `code` is `consent.snake_case`, `status` the HTTP status a caller should answer. */
export class ConsentError extends Error {
  constructor(readonly code: string, message: string, readonly status: number, readonly field?: string, readonly detail?: string) {
    super(message);
    this.name = 'ConsentError';
  }
}

/** Runs in the caller's transaction when there is one (the management API wraps each change in one). */
function inTransaction<T>(db: Db, run: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

const ScopesSchema = z.array(z.string());
/** The parts of oidc-provider's Grant payload read here (lib/models/grant.js). */
const GrantPayloadSchema = z.object({
  accountId: z.string(),
  clientId: z.string(),
  iat: z.number().optional(),
  openid: z.object({ scope: z.string().optional() }).optional(),
  resources: z.record(z.string(), z.string()).optional(),
});

type AdminConsentRow = { id: string; client_id: string; api: string; scopes: unknown; granted_by: string; created_at: Date; updated_at: Date };

function toAdminConsent(row: AdminConsentRow): AdminConsent {
  return {
    id: row.id, clientId: row.client_id, api: row.api, scopes: ScopesSchema.parse(row.scopes), grantedBy: row.granted_by,
    createdAt: new Date(row.created_at), updatedAt: new Date(row.updated_at),
  };
}

function selectAdminConsents(db: Db, tenantId: string) {
  return db.selectFrom('admin_consents')
    .innerJoin('applications', 'applications.id', 'admin_consents.application_id')
    .select(['admin_consents.id', 'applications.client_id', 'admin_consents.api', 'admin_consents.scopes',
      'admin_consents.granted_by', 'admin_consents.created_at', 'admin_consents.updated_at'])
    .where('admin_consents.tenant_id', '=', tenantId);
}

/**
 * Admin consents of a tenant, ascending by id, those after `after`, at most `limit`.
 *
 * @example await listAdminConsents(db, 'demo', { limit: 50, clientId: 'weather-web' })
 */
export async function listAdminConsents(db: Db, tenantId: string, options: { after?: string; limit: number; clientId?: string }): Promise<AdminConsent[]> {
  if (options.after !== undefined && !isUuid(options.after)) {
    throw new ConsentError('consent.invalid_cursor', 'The cursor is not an admin consent id', 400, 'after');
  }
  let query = selectAdminConsents(db, tenantId).orderBy('admin_consents.id').limit(Math.max(0, Math.floor(options.limit)));
  if (options.after !== undefined) query = query.where('admin_consents.id', '>', options.after);
  if (options.clientId !== undefined) query = query.where('applications.client_id', '=', options.clientId);
  return (await query.execute()).map(toAdminConsent);
}

/** Admin consents of one application (the provider reads them at every authorization request). */
export async function findAdminConsentsFor(db: Db, tenantId: string, clientId: string): Promise<AdminConsent[]> {
  return (await selectAdminConsents(db, tenantId).where('applications.client_id', '=', clientId).execute()).map(toAdminConsent);
}

/**
 * Consents, for every user of the tenant, to `scopes` of `api` for an application: users are
 * not asked for them again. Granting again for the same application and API replaces the scopes.
 * Daemons have no users, hence no delegated consent: their app roles are assigned instead.
 */
export async function grantAdminConsent(db: Db, tenantId: string, input: { clientId: string; api: string; scopes: string[] }, actor: string): Promise<AdminConsent> {
  const app = await db.selectFrom('applications').select(['id', 'type'])
    .where('tenant_id', '=', tenantId).where('client_id', '=', input.clientId).executeTakeFirst();
  if (!app) throw new ConsentError('consent.unknown_application', `No application ${input.clientId}`, 404, 'clientId', input.clientId);
  if (app.type === 'daemon') {
    throw new ConsentError('consent.daemon_application', 'Daemons act for themselves: assign app roles instead of consent', 400, 'clientId', input.clientId);
  }
  const known = await scopesOf(db, tenantId, input.api);
  if (!known) throw new ConsentError('consent.unknown_api', `No API ${input.api}`, 404, 'api', input.api);
  const scopes = [...new Set(input.scopes)].sort();
  const unknown = scopes.find((scope) => !known.has(scope));
  if (unknown !== undefined || scopes.length === 0) {
    throw new ConsentError('consent.unknown_scope', unknown === undefined ? 'Name at least one scope' : `${input.api} defines no scope ${unknown}`,
      400, 'scopes', unknown);
  }
  return inTransaction(db, async (trx) => {
    const now = new Date();
    await trx.insertInto('admin_consents')
      .values({ id: randomUUID(), tenant_id: tenantId, application_id: app.id, api: input.api, scopes: JSON.stringify(scopes), granted_by: actor,
        created_at: now, updated_at: now })
      .onConflict((oc) => oc.columns(['application_id', 'api']).doUpdateSet({ scopes: JSON.stringify(scopes), granted_by: actor, updated_at: now }))
      .execute();
    await recordAuditEvent(trx, { tenantId, type: 'consent.admin_granted', actor, clientId: input.clientId, data: { api: input.api, scopes } });
    const row = await selectAdminConsents(trx, tenantId).where('admin_consents.application_id', '=', app.id)
      .where('admin_consents.api', '=', input.api).executeTakeFirstOrThrow();
    return toAdminConsent(row);
  });
}

/**
 * Removes an admin consent. Users are asked again for what it covered at their next sign-in
 * to the application, except for what their own grant already holds (see docs/consent.md).
 */
export async function revokeAdminConsent(db: Db, tenantId: string, id: string, actor = 'unknown'): Promise<boolean> {
  if (!isUuid(id)) return false;
  return inTransaction(db, async (trx) => {
    const row = await selectAdminConsents(trx, tenantId).where('admin_consents.id', '=', id).executeTakeFirst();
    if (!row) return false;
    await trx.deleteFrom('admin_consents').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
    await recordAuditEvent(trx, { tenantId, type: 'consent.admin_revoked', actor, clientId: row.client_id, data: { api: row.api, scopes: row.scopes } });
    return true;
  });
}

/** The scopes `api` defines (OIDC_CONSENT_API: the OpenID Connect ones), or undefined for an unknown API. */
async function scopesOf(db: Db, tenantId: string, api: string): Promise<Set<string> | undefined> {
  if (api === OIDC_CONSENT_API) return new Set(OIDC_SCOPE_SET);
  const row = await db.selectFrom('apis').select('scopes').where('tenant_id', '=', tenantId).where('identifier', '=', api).executeTakeFirst();
  return row ? new Set(row.scopes.map((scope) => scope.name)) : undefined;
}

/** The user's live Grant rows (expired ones are left to the sweeper), optionally of one application. */
async function grantRows(db: Db, tenantId: string, userId: string, clientId?: string) {
  let query = db.selectFrom('oidc_payloads').select(['id', 'payload'])
    .where('tenant_id', '=', tenantId).where('model', '=', 'Grant')
    .where(sql<string>`payload->>'accountId'`, '=', userId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]));
  if (clientId !== undefined) query = query.where(sql<string>`payload->>'clientId'`, '=', clientId);
  const rows = await query.execute();
  return rows.flatMap((row) => {
    const parsed = GrantPayloadSchema.safeParse(row.payload);
    return parsed.success ? [{ id: row.id, grant: parsed.data }] : [];
  });
}

/**
 * What a user consented to, per application, in the words of each API (from oidc-provider's
 * Grants, which hold the user's own consents and what admin consents added to them).
 */
export async function listUserConsents(db: Db, tenantId: string, userId: string): Promise<UserConsent[]> {
  const rows = await grantRows(db, tenantId, userId);
  if (!rows.length) return [];
  const clientIds = [...new Set(rows.map((row) => row.grant.clientId))];
  const [apps, apis] = await Promise.all([
    db.selectFrom('applications').select(['client_id', 'name']).where('tenant_id', '=', tenantId).where('client_id', 'in', clientIds).execute(),
    db.selectFrom('apis').select(['identifier', 'name', 'scopes']).where('tenant_id', '=', tenantId).execute(),
  ]);
  const appNames = new Map(apps.map((app) => [app.client_id, app.name]));
  const apiByIdentifier = new Map(apis.map((api) => [api.identifier, api]));
  const consents = new Map<string, { grantId: string; iat: number; scopes: Set<string>; resources: Map<string, Set<string>> }>();
  for (const { id, grant } of rows) {
    const iat = grant.iat ?? 0;
    const entry = consents.get(grant.clientId) ?? { grantId: id, iat, scopes: new Set<string>(), resources: new Map() };
    if (iat >= entry.iat) Object.assign(entry, { grantId: id, iat });
    for (const scope of splitScope(grant.openid?.scope)) entry.scopes.add(scope);
    for (const [resource, scope] of Object.entries(grant.resources ?? {})) {
      const set = entry.resources.get(resource) ?? new Set<string>();
      for (const name of splitScope(scope)) set.add(name);
      entry.resources.set(resource, set);
    }
    consents.set(grant.clientId, entry);
  }
  return [...consents].flatMap(([clientId, entry]) => {
    const apiList = [...entry.resources].filter(([, scopes]) => scopes.size > 0).map(([resource, scopes]) => {
      const api = apiByIdentifier.get(resource);
      return {
        api: resource, apiName: api?.name ?? resource,
        scopes: [...scopes].sort().map((name) => ({ name, description: api?.scopes.find((s) => s.name === name)?.description ?? name })),
      };
    });
    if (!entry.scopes.size && !apiList.length) return [];
    return [{
      clientId, applicationName: appNames.get(clientId) ?? clientId, grantId: entry.grantId, scopes: [...entry.scopes].sort(), apis: apiList,
      ...(entry.iat ? { createdAt: new Date(entry.iat * 1000) } : {}),
    }];
  }).sort((a, b) => a.applicationName.localeCompare(b.applicationName) || a.clientId.localeCompare(b.clientId));
}

/**
 * Withdraws a user's consent to an application: deletes the user's Grants for it and everything
 * issued under them (refresh tokens, codes, device codes, opaque access tokens), so the next
 * refresh fails with invalid_grant and the next sign-in asks for consent again. Returns how many
 * grants were revoked (0: nothing to revoke).
 */
export async function revokeUserConsent(db: Db, tenantId: string, userId: string, clientId: string,
  options: { actor?: string; correlationId?: string } = {}): Promise<number> {
  return inTransaction(db, async (trx) => {
    const ids = (await grantRows(trx, tenantId, userId, clientId)).map((row) => row.id);
    if (!ids.length) return 0;
    await trx.deleteFrom('oidc_payloads').where('tenant_id', '=', tenantId).where('grant_id', 'in', ids).execute();
    await trx.deleteFrom('oidc_payloads').where('tenant_id', '=', tenantId).where('model', '=', 'Grant').where('id', 'in', ids).execute();
    await recordAuditEvent(trx, {
      tenantId, type: 'consent.revoked', actor: options.actor ?? userId, subject: userId, clientId,
      correlationId: options.correlationId ?? null, data: { grants: ids.length },
    });
    return ids.length;
  });
}
