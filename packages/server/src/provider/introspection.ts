import type { KoaContextWithOIDC } from 'oidc-provider';
import type { TenantSnapshot } from './tenant-snapshot.js';

/** What the policy needs to know about a token, whichever format it has. */
export interface IntrospectedToken {
  kind: string;
  clientId?: string | undefined;
  aud?: string | string[] | undefined;
}

/**
 * Token introspection (RFC 7662), for confidential applications only (secret or
 * private_key_jwt; public clients are refused in jwt-token-status.ts). RFC 7662 §2.1 leaves
 * to the server who may learn what: here an application learns about
 *
 * - tokens issued to itself, and
 * - access tokens whose audience is an API it holds a permission or an app role for (a
 *   resource server introspecting the tokens sent to it).
 *
 * Anything else is `active: false`, exactly as an unknown token (RFC 7662 §2.2), so the
 * answer never says that a token exists.
 */
export function createIntrospection(snapshot: TenantSnapshot) {
  return {
    enabled: true,
    async allowedPolicy(_ctx: KoaContextWithOIDC, client: { clientId: string; clientAuthMethod?: string | undefined }, token: IntrospectedToken) {
      return mayIntrospect(snapshot, client, token);
    },
  };
}

export async function mayIntrospect(
  snapshot: TenantSnapshot,
  caller: { clientId: string; clientAuthMethod?: string | undefined },
  token: IntrospectedToken,
): Promise<boolean> {
  if (!caller.clientAuthMethod || caller.clientAuthMethod === 'none') return false;
  if (token.clientId === caller.clientId) return true;
  // A refresh token is its client's credential alone.
  if (token.kind === 'RefreshToken') return false;
  const audiences = (Array.isArray(token.aud) ? token.aud : [token.aud]).filter((aud): aud is string => typeof aud === 'string');
  const apis = audiences.filter((aud) => snapshot.apis.has(aud));
  if (!apis.length) return false;
  const app = await snapshot.findApplication(caller.clientId);
  if (!app) return false;
  const granted = new Set([...app.permissions.map((p) => p.api), ...app.appRoles.filter((r) => r.roles.length).map((r) => r.api)]);
  return apis.some((api) => granted.has(api));
}
