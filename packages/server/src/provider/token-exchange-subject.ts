import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { errors, type Adapter } from 'oidc-provider';
import type { TenantSnapshot } from './tenant-snapshot.js';

const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e'] as const;

/** A user's access token presented for exchange, verified. */
export interface SubjectToken {
  payload: JWTPayload & { client_id?: string; oid?: string; act?: Record<string, unknown> };
  /** The tenant APIs the token was issued for. */
  audiences: string[];
  /** The user's stable id (`oid`). */
  accountId: string;
}

/**
 * Verifies a subject token as one of this tenant's own user access tokens (RFC 9068): signed
 * by the tenant's keys, `typ: at+jwt` (so an ID token is refused, RFC 9068 §4), this issuer,
 * unexpired, for one of the tenant's APIs, not revoked (the revoked-jti list of
 * jwt-token-status.ts), and about a user — a daemon's token has nobody to act for.
 * Every failure is `invalid_grant` (RFC 8693 §2.2.2).
 */
export function createSubjectTokenVerifier(options: { snapshot: TenantSnapshot; revoked: Adapter }) {
  const { snapshot, revoked } = options;
  const publicKeys = createLocalJWKSet({
    keys: snapshot.keys.keys.map((key) => Object.fromEntries(PUBLIC_MEMBERS.filter((m) => m in key).map((m) => [m, (key as Record<string, unknown>)[m]]))),
  });

  return async (token: string): Promise<SubjectToken> => {
    let payload: SubjectToken['payload'];
    try {
      ({ payload } = await jwtVerify(token, publicKeys, {
        issuer: snapshot.issuer, typ: 'at+jwt', requiredClaims: ['jti', 'exp', 'aud', 'sub'], algorithms: ['ES256', 'RS256'],
      }));
    } catch (error) {
      throw invalidGrant(`subject_token is not a valid access token of this tenant (${reason(error)})`);
    }
    const audiences = (Array.isArray(payload.aud) ? payload.aud : [payload.aud]).filter((aud): aud is string => typeof aud === 'string' && snapshot.apis.has(aud));
    if (!audiences.length) throw invalidGrant('subject_token was not issued for an API of this tenant');
    if (await revoked.find(payload.jti!)) throw invalidGrant('subject_token has been revoked');
    // A client_credentials token's subject is the application itself (sub = client_id).
    if (typeof payload.oid !== 'string' || payload.sub === payload.client_id) {
      throw invalidGrant('subject_token does not represent a user');
    }
    return { payload, audiences, accountId: payload.oid };
  };
}

function reason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `${error.claim} claim invalid`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) return 'signature';
  return 'malformed';
}

/**
 * `invalid_grant` with a description: oidc-provider's InvalidGrant always says "grant request is
 * invalid", but the caller here is an authenticated confidential client that needs to know why.
 */
function invalidGrant(description: string): Error {
  return new errors.CustomOIDCProviderError('invalid_grant', description);
}
