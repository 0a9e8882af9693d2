import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/database.js';
import { findAdminConsentsFor, OIDC_CONSENT_API } from '../identity/consents.js';
import { splitScope } from './oidc-scopes.js';

type Grant = InstanceType<KoaContextWithOIDC['oidc']['provider']['Grant']>;

/**
 * oidc-provider's `loadExistingGrant` with tenant-wide (admin) consent: the user's grant for
 * this application (the default behaviour), plus what an administrator consented to for every
 * user, so those scopes need no consent prompt. The grant is saved when admin consent adds to it,
 * because authorization codes and refresh tokens point at a stored grant.
 *
 * `prompt=consent` still shows the prompt (its check runs before the grant is consulted), and
 * native applications are always asked (oidc-provider's `native_client_prompt`: another app
 * could claim their redirect URI). See docs/consent.md.
 */
export function createLoadExistingGrant(options: { db: Db; tenantId: string }) {
  return async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const { oidc } = ctx;
    const client = oidc.client;
    const accountId = oidc.account?.accountId ?? oidc.session?.accountId;
    if (!client || !accountId) return undefined;
    const grantId = oidc.result?.consent?.grantId || oidc.session?.grantIdFor(client.clientId);
    const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    const consents = await findAdminConsentsFor(options.db, options.tenantId, client.clientId);
    if (!consents.length) return existing;
    const grant = existing ?? new oidc.provider.Grant({ accountId, clientId: client.clientId });
    if (addAdminConsents(grant, consents) || !existing) await grant.save();
    return grant;
  };
}

/** Adds the admin-consented scopes the grant lacks; true when it changed. */
function addAdminConsents(grant: Grant, consents: { api: string; scopes: string[] }[]): boolean {
  let changed = false;
  for (const { api, scopes } of consents) {
    const held = new Set(splitScope(api === OIDC_CONSENT_API ? grant.getOIDCScope() : grant.getResourceScope(api)));
    const missing = scopes.filter((scope) => !held.has(scope));
    if (!missing.length) continue;
    if (api === OIDC_CONSENT_API) grant.addOIDCScope(missing.join(' '));
    else grant.addResourceScope(api, missing.join(' '));
    changed = true;
  }
  return changed;
}
