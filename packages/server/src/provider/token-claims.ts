import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/database.js';
import { createGroupRepository } from '../db/repositories/groups.js';
import type { User } from '../db/repositories/users.js';
import { effectiveRoles, groupsClaim } from '../identity/effective-roles.js';
import type { TenantSnapshot } from './tenant-snapshot.js';
import type { TesseraAccount } from './find-account.js';

interface JwtToken {
  kind: string;
  clientId?: string;
  accountId?: string;
  resourceServer?: { audience?: string | string[] };
}

interface StructuredJwt {
  header?: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Adds Tessera's claims to RFC 9068 access tokens: `nbf`, `azp`, `tid` (tenant), `oid`
 * (the user's, or the application's, stable id), `roles` (for users: their effective roles for
 * this API, direct and through groups, docs/roles-and-groups.md; for daemons: app roles for this
 * API), `groups` or `groups_overage` when the API asks for groups, and, with the `profile` scope
 * only, display names — which are never for authorization.
 */
export function createJwtCustomizer(snapshot: TenantSnapshot, db: Db) {
  const userClaims = createUserRoleClaims(snapshot, db);
  return async (ctx: KoaContextWithOIDC, token: JwtToken, jwt: StructuredJwt): Promise<void> => {
    const payload = jwt.payload;
    const audience = typeof payload.aud === 'string' ? payload.aud : undefined;
    payload.nbf = payload.iat;
    payload.azp = token.clientId;
    payload.tid = snapshot.tenant.id;

    if (token.kind === 'ClientCredentials') {
      const app = token.clientId ? await snapshot.findApplication(token.clientId) : undefined;
      payload.oid = app?.id;
      setRoles(payload, app?.appRoles, audience);
      return;
    }

    payload.oid = token.accountId;
    // How the user signed in (RFC 9068 §2.2.1: acr, amr, auth_time), so an API can demand a second factor (RFC 9470).
    const source = authorizationSource(ctx);
    if (source?.acr) payload.acr = source.acr;
    if (source?.amr?.length) payload.amr = source.amr;
    if (source?.authTime) payload.auth_time = source.authTime;
    const account = ctx.oidc.entities.Account as TesseraAccount | undefined;
    const user = account?.accountId === token.accountId ? account?.user : undefined;
    if (user && audience) Object.assign(payload, await userClaims(user, audience));
    if (user && requestedScopes(ctx).has('profile')) {
      if (user.name) payload.name = user.name;
      const preferred = user.username ?? user.email;
      if (preferred) payload.preferred_username = preferred;
    }
  };
}

/**
 * The scopes of the authorization this token comes from (the code, or the refresh token that
 * carries them forward) — not everything the user ever granted the client.
 */
function requestedScopes(ctx: KoaContextWithOIDC): Set<string> {
  return new Set((authorizationSource(ctx)?.scope ?? '').split(' '));
}

/** The code, refresh token or device code a user's token is minted from: it carries the scope and how the user signed in. */
function authorizationSource(ctx: KoaContextWithOIDC) {
  const entities = ctx.oidc.entities as Record<string, { scope?: string; acr?: string; amr?: string[]; authTime?: number } | undefined>;
  return entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode;
}

/**
 * `roles` (and `groups` / `groups_overage` when the API has groupsClaim) of a user's token for
 * `audience`: one query for the user's groups per token, however many groups.
 */
function createUserRoleClaims(snapshot: TenantSnapshot, db: Db) {
  const groups = createGroupRepository(db);
  return async (user: User, audience: string): Promise<Record<string, unknown>> => {
    const api = snapshot.apis.get(audience);
    if (!api) return {};
    const userGroups = await groups.groupsOfUser(snapshot.tenant.id, user.id);
    const roles = effectiveRoles(user.roles, userGroups, audience);
    return { ...(roles.length ? { roles } : {}), ...(api.groupsClaim ? groupsClaim(userGroups) : {}) };
  };
}

function setRoles(payload: Record<string, unknown>, grants: { api: string; roles: string[] }[] | undefined, audience: string | undefined) {
  const roles = grants?.filter((grant) => grant.api === audience).flatMap((grant) => grant.roles) ?? [];
  if (roles.length) payload.roles = [...new Set(roles)];
}
