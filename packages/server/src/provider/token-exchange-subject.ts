import { errors, type Adapter } from 'oidc-provider';
import { createAccessTokenVerifier, type AccessTokenCheck, type AccessTokenPayload } from './access-token-verifier.js';
import type { TenantSnapshot } from './tenant-snapshot.js';

/** A user's access token presented for exchange, verified. */
export interface SubjectToken {
  payload: AccessTokenPayload;
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
  const check = createAccessTokenVerifier(options);

  return async (token: string): Promise<SubjectToken> => {
    const result = await check(token, ['jti', 'exp', 'aud', 'sub']);
    if (!result.ok) throw invalidGrant(REFUSALS[result.reason](result.claim));
    const { payload, audiences } = result;
    // A client_credentials token's subject is the application itself (sub = client_id).
    if (typeof payload.oid !== 'string' || payload.sub === payload.client_id) {
      throw invalidGrant('subject_token does not represent a user');
    }
    return { payload, audiences, accountId: payload.oid };
  };
}

const invalidToken = (why: string) => `subject_token is not a valid access token of this tenant (${why})`;
const REFUSALS: Record<Exclude<AccessTokenCheck, { ok: true }>['reason'], (claim?: string) => string> = {
  expired: () => invalidToken('expired'),
  signature: () => invalidToken('signature'),
  claim: (claim) => invalidToken(`${claim} claim invalid`),
  malformed: () => invalidToken('malformed'),
  not_for_tenant_api: () => 'subject_token was not issued for an API of this tenant',
  revoked: () => 'subject_token has been revoked',
};

/**
 * `invalid_grant` with a description: oidc-provider's InvalidGrant always says "grant request is
 * invalid", but the caller here is an authenticated confidential client that needs to know why.
 */
function invalidGrant(description: string): Error {
  return new errors.CustomOIDCProviderError('invalid_grant', description);
}
