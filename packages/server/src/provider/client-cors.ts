import type { KoaContextWithOIDC } from 'oidc-provider';

type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/**
 * oidc-provider's `clientBasedCORS`: which browser origins may call the client-authenticated
 * endpoints (token, revocation, introspection, device authorization, PAR) and userinfo for a
 * client. Browser apps (SPAs: web application type, no client secret) may call them from exactly
 * the origins of their redirect URIs; other applications (web apps and daemons hold secrets that
 * must never be in a browser, native apps are not browsers) from none. Userinfo keeps
 * oidc-provider's default: any application, from the origins of its redirect URIs.
 * Discovery and JWKS are open to every origin (oidc-provider's `open` CORS, not client-based).
 * `null` (sandboxed frames, file:) is never an allowed origin.
 */
export function clientBasedCORS(ctx: KoaContextWithOIDC, origin: string, client: Client): boolean {
  if (origin === 'null') return false;
  const isSpa = client.clientAuthMethod === 'none' && client.applicationType === 'web';
  if (!isSpa && ctx.oidc.route !== 'userinfo') return false;
  return (client.redirectUris ?? []).some((uri) => URL.parse(uri)?.origin === origin);
}
