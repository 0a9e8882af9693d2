import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Adapter } from 'oidc-provider';
import type { TenantSnapshot } from './tenant-snapshot.js';

const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e'] as const;

export type AccessTokenPayload = JWTPayload & { client_id?: string; oid?: string; act?: Record<string, unknown> };

export type AccessTokenCheck =
  | { ok: true; payload: AccessTokenPayload; audiences: string[] }
  | { ok: false; reason: 'expired' | 'signature' | 'claim' | 'malformed' | 'not_for_tenant_api' | 'revoked'; claim?: string };

/**
 * Verifies one of this tenant's own JWT access tokens (RFC 9068): signed by the tenant's keys,
 * `typ: at+jwt` (so an ID token is refused, RFC 9068 §4), this issuer, unexpired, for one of the
 * tenant's APIs, and not on the revoked-jti list (`RevokedAccessToken`, filled by revocation).
 * Used by introspection and revocation (jwt-token-status.ts) and token exchange.
 */
export function createAccessTokenVerifier(options: { snapshot: TenantSnapshot; revoked: Adapter }) {
  const { snapshot, revoked } = options;
  const publicKeys = createLocalJWKSet({
    keys: snapshot.keys.keys.map((key) => Object.fromEntries(PUBLIC_MEMBERS.filter((m) => m in key).map((m) => [m, (key as Record<string, unknown>)[m]]))),
  });

  return async (token: string, requiredClaims: string[] = ['jti', 'exp', 'aud']): Promise<AccessTokenCheck> => {
    let payload: AccessTokenPayload;
    try {
      ({ payload } = await jwtVerify(token, publicKeys, { issuer: snapshot.issuer, typ: 'at+jwt', requiredClaims, algorithms: ['ES256', 'RS256'] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
      if (error instanceof joseErrors.JWTClaimValidationFailed) return { ok: false, reason: 'claim', claim: error.claim };
      if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
        return { ok: false, reason: 'signature' };
      }
      return { ok: false, reason: 'malformed' };
    }
    const audiences = (Array.isArray(payload.aud) ? payload.aud : [payload.aud])
      .filter((aud): aud is string => typeof aud === 'string' && snapshot.apis.has(aud));
    if (!audiences.length) return { ok: false, reason: 'not_for_tenant_api' };
    if (await revoked.find(payload.jti!)) return { ok: false, reason: 'revoked' };
    return { ok: true, payload, audiences };
  };
}
