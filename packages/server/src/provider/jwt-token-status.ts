import { decodeProtectedHeader, type JWTPayload } from 'jose';
import type { Adapter, KoaContextWithOIDC } from 'oidc-provider';
import { createAccessTokenVerifier } from './access-token-verifier.js';
import { mayIntrospect } from './introspection.js';
import type { TenantSnapshot } from './tenant-snapshot.js';

/**
 * Introspection and revocation of our JWT access tokens (RFC 9068).
 *
 * oidc-provider does not store JWT access tokens and answers `unsupported_token_type` for
 * a JWT at both endpoints. This middleware runs around them: oidc-provider still parses the
 * request and authenticates the client; when it refused a JWT, the token is verified here
 * (signature by this tenant's keys, `typ: at+jwt`, issuer, expiry, an audience that is one of
 * the tenant's APIs) and checked against the revoked-jti list (`RevokedAccessToken` rows
 * that expire with the token). Revoking a JWT adds its `jti` to that list; resource servers
 * that validate tokens locally will not see it — only introspection does (docs/logout-and-token-status.md).
 * Public clients may not introspect at all (401 invalid_client).
 */
export function createJwtTokenStatus(options: { snapshot: TenantSnapshot; revoked: Adapter }) {
  const { snapshot, revoked } = options;
  const check = createAccessTokenVerifier(options);

  async function verify(token: string): Promise<JWTPayload | undefined> {
    const result = await check(token);
    return result.ok ? result.payload : undefined;
  }

  async function introspect(ctx: KoaContextWithOIDC, token: string): Promise<void> {
    const client = ctx.oidc.client!;
    const payload = await verify(token);
    const allowed = payload && await mayIntrospect(snapshot, client, { kind: 'AccessToken', clientId: asString(payload.client_id), aud: payload.aud });
    ctx.status = 200;
    ctx.body = allowed ? { ...payload, active: true, token_type: 'Bearer' } : { active: false };
  }

  async function revoke(ctx: KoaContextWithOIDC, token: string): Promise<void> {
    const client = ctx.oidc.client!;
    const payload = await verify(token);
    if (payload && payload.client_id !== client.clientId && client.clientAuthMethod !== 'none') {
      // As oidc-provider answers for its own tokens (features.revocation.allowedPolicy default).
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'client is not authorized to revoke the presented token' };
      return;
    }
    if (payload && payload.client_id === client.clientId) {
      const ttl = payload.exp! - Math.floor(Date.now() / 1000);
      if (ttl > 0) await revoked.upsert(payload.jti!, { jti: payload.jti!, clientId: client.clientId } as never, ttl);
    }
    // RFC 7009 §2.2: 200 whether or not the token was valid.
    ctx.status = 200;
    ctx.body = '';
  }

  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    const route = ctx.oidc?.route;
    if ((route !== 'introspection' && route !== 'revocation') || !ctx.oidc.client) return;
    if (route === 'introspection' && ctx.oidc.client.clientAuthMethod === 'none') {
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: 'public clients may not introspect tokens' };
      return;
    }
    const body = ctx.body as { error?: unknown } | undefined;
    const token = ctx.oidc.params?.token;
    if (body?.error !== 'unsupported_token_type' || typeof token !== 'string' || !isJws(token)) return;
    await (route === 'introspection' ? introspect(ctx, token) : revoke(ctx, token));
  };
}

function isJws(token: string): boolean {
  try {
    return Boolean(decodeProtectedHeader(token).alg) && token.split('.').length === 3;
  } catch {
    return false;
  }
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
