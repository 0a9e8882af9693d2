import type { KoaContextWithOIDC } from 'oidc-provider';
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
 * (the user's, or the application's, stable id), `roles` (user roles for users, app
 * roles for daemons, for this API only) and, with the `profile` scope only, display
 * names — which are never for authorization.
 */
export function createJwtCustomizer(snapshot: TenantSnapshot) {
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
    const account = ctx.oidc.entities.Account as TesseraAccount | undefined;
    const user = account?.accountId === token.accountId ? account?.user : undefined;
    setRoles(payload, user?.roles, audience);
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
  const entities = ctx.oidc.entities as Record<string, { scope?: string } | undefined>;
  const source = entities.AuthorizationCode ?? entities.RefreshToken ?? entities.DeviceCode;
  return new Set((source?.scope ?? '').split(' '));
}

function setRoles(payload: Record<string, unknown>, grants: { api: string; roles: string[] }[] | undefined, audience: string | undefined) {
  const roles = grants?.filter((grant) => grant.api === audience).flatMap((grant) => grant.roles) ?? [];
  if (roles.length) payload.roles = [...new Set(roles)];
}
