import { randomInt } from 'node:crypto';
import { errors, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { Api } from '../db/repositories/apis.js';
import type { TenantSnapshot } from './tenant-snapshot.js';
import { OIDC_SCOPE_SET, splitScope } from './oidc-scopes.js';

/**
 * APIs as oidc-provider resource servers (RFC 8707). Every token for an API is a JWT
 * (RFC 9068) whose audience is the API identifier. An unknown API is `invalid_target`
 * and a scope that neither OpenID Connect nor the API defines is `invalid_scope`:
 * nothing is dropped silently.
 */
export function createResourceIndicators(snapshot: TenantSnapshot) {
  return {
    enabled: true,
    async defaultResource(ctx: KoaContextWithOIDC, _client: unknown, oneOf?: string[]) {
      if (oneOf) return oneOf;
      assertScopesKnown(ctx, undefined);
      return undefined;
    },
    // At the token endpoint, a code or refresh token for one API yields a token for it.
    useGrantedResource: async () => true,
    async getResourceServerInfo(ctx: KoaContextWithOIDC, identifier: string, client: { clientId: string }): Promise<ResourceServer> {
      const api = snapshot.apis.get(identifier);
      if (!api) throw new errors.InvalidTarget(`unknown API ${identifier}`);
      assertClientAllowed(api, client.clientId);
      assertScopesKnown(ctx, api);
      if (ctx.oidc.params?.grant_type === 'client_credentials') {
        await assertAppRoleAssigned(snapshot, client.clientId, api);
      }
      return {
        audience: api.identifier,
        scope: api.scopes.map((s) => s.name).join(' '),
        accessTokenFormat: 'jwt',
        accessTokenTTL: accessTokenLifetime(api),
        jwt: { sign: { alg: api.signingAlg } },
      };
    },
  };
}

/** A fixed lifetime when the API sets one; otherwise 60–90 minutes, so clients do not all refresh at once. */
export function accessTokenLifetime(api: Pick<Api, 'accessTokenTtlSeconds'>): number {
  return api.accessTokenTtlSeconds ?? randomInt(60 * 60, 90 * 60 + 1);
}

/**
 * An API that lists its allowed clients refuses every other one, whatever it holds, for every
 * grant: oidc-provider asks here at the authorization and device endpoints, and at the token
 * endpoint for each grant (code, refresh, client credentials, device code, token exchange).
 * RFC 8707 §2: a resource the server "does not consider … acceptable" is `invalid_target`.
 */
function assertClientAllowed(api: Api, clientId: string): void {
  // `== null`: the built-in management API is not stored and has no list.
  if (api.allowedClients == null || api.allowedClients.includes(clientId)) return;
  throw new errors.InvalidTarget(`the application is not allowed to get tokens for ${api.identifier}`);
}

function assertScopesKnown(ctx: KoaContextWithOIDC, api: Api | undefined): void {
  const known = new Set(api?.scopes.map((s) => s.name));
  const scopes = splitScope(ctx.oidc.params?.scope);
  const unknown = scopes.filter((scope) => !OIDC_SCOPE_SET.has(scope) && !known.has(scope));
  if (unknown.length) {
    throw new errors.InvalidScope(
      api ? `${api.identifier} does not define the requested scope` : 'requested scope is not defined by any API; name it as {api}/{scope} or pass resource',
      unknown.join(' '),
    );
  }
  if (api && ctx.oidc.params?.grant_type === 'client_credentials' && scopes.some((scope) => known.has(scope))) {
    // Daemons act as themselves: they carry app roles, never delegated user scopes.
    throw new errors.InvalidScope(
      `client_credentials tokens carry app roles, not delegated scopes; request scope=${api.identifier}/.default`,
      scopes.filter((scope) => known.has(scope)).join(' '),
    );
  }
}

async function assertAppRoleAssigned(snapshot: TenantSnapshot, clientId: string, api: Api): Promise<void> {
  const app = await snapshot.findApplication(clientId);
  const roles = app?.appRoles.find((grant) => grant.api === api.identifier)?.roles ?? [];
  if (!roles.length) {
    throw new errors.UnauthorizedClient(`the application has no app role on ${api.identifier}; an administrator must assign one`);
  }
}
