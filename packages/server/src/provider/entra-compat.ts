import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { addClientInfo } from './client-info.js';
import { answerInClientForm } from './scope-parameters.js';

/** Where MSAL and Microsoft.Identity.Web look for discovery: `{authority}/v2.0/.well-known/…`. */
export const ENTRA_DISCOVERY_PATH = '/v2.0/.well-known/openid-configuration';
const DISCOVERY_PATH = '/.well-known/openid-configuration';

/**
 * Lets applications written for Entra ID (MSAL, Microsoft.Identity.Web) use a Tessera tenant by
 * changing only their authority — see docs/entra-compatibility.md:
 * - `{issuer}/v2.0/.well-known/openid-configuration` serves the tenant's discovery document,
 *   unchanged (same `issuer`, so OIDC Discovery §4.3's issuer check still holds for clients
 *   that read it from here);
 * - token responses carry `client_info` when MSAL asks for it (client-info.ts);
 * - token responses name API scopes as the request did, `api://weather/weather.read` (scope-parameters.ts).
 * MSAL's other extra parameters (`x-client-*`, `client_info` at the authorization endpoint,
 * `claims` — the claims parameter feature is off, so oidc-provider ignores it) need nothing:
 * oidc-provider reads only the parameters each endpoint defines.
 */
export function registerEntraCompatibility(provider: Provider, options: { tenantId: string }): void {
  provider.use(entraDiscoveryAlias as never);
  provider.use(createTokenResponseExtras(options.tenantId) as never);
}

/** One pass-through on every request, which changes only successful token responses. */
function createTokenResponseExtras(tenantId: string) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    addClientInfo(ctx, body, tenantId);
    answerInClientForm(ctx, body);
  };
}

/**
 * Serves the discovery document (and its CORS preflight) at the Entra v2.0 path too. The
 * request's `originalUrl` is rewritten with its path: oidc-provider derives the mount path of
 * every endpoint URL from it, and the document must name `{issuer}/token`, not `{issuer}/v2.0/token`.
 */
export async function entraDiscoveryAlias(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  if ((ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'OPTIONS') && ctx.path === ENTRA_DISCOVERY_PATH) {
    const req = ctx.req as { originalUrl?: string };
    const at = req.originalUrl?.lastIndexOf(ENTRA_DISCOVERY_PATH) ?? -1;
    if (req.originalUrl && at !== -1) {
      req.originalUrl = req.originalUrl.slice(0, at) + DISCOVERY_PATH + req.originalUrl.slice(at + ENTRA_DISCOVERY_PATH.length);
    }
    ctx.path = DISCOVERY_PATH;
  }
  await next();
}
