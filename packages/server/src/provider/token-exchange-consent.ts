import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/**
 * The scopes of `resource` that a user has consented to for an application: the union over the
 * user's unexpired oidc-provider Grants (one per consent) for that application.
 *
 * On-behalf-of only forwards what the user agreed to: the calling application (the middle tier)
 * must itself have been granted the downstream API's scopes by the user, as Entra ID requires
 * (AADSTS65001 otherwise). Grants live as JSON in `oidc_payloads`; this reads them by
 * account and client, which oidc-provider's adapter interface cannot do.
 */
export function createConsentedScopes(db: Db, tenantId: string, clock: () => number = Date.now) {
  return async (accountId: string, clientId: string, resource: string): Promise<Set<string>> => {
    const rows = await db.selectFrom('oidc_payloads').select('payload')
      .where('tenant_id', '=', tenantId)
      .where('model', '=', 'Grant')
      .where(sql<string>`payload->>'accountId'`, '=', accountId)
      .where(sql<string>`payload->>'clientId'`, '=', clientId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date(clock()))]))
      .limit(50)
      .execute();
    const scopes = new Set<string>();
    for (const { payload } of rows) {
      const resources = (payload as { resources?: Record<string, unknown> }).resources;
      const granted = resources?.[resource];
      if (typeof granted === 'string') for (const scope of granted.split(' ')) if (scope) scopes.add(scope);
    }
    return scopes;
  };
}
