import type { AccessTokenClaims } from './claims.js';
import { GuardError } from './guard-error.js';
import type { Requirement } from './requirements.js';

export interface AuthenticationRequirement {
  /** The token's `acr` must be one of these (RFC 9470 §3 `acr_values`, in order of preference). */
  acr?: readonly string[];
  /** Every listed method must be in the token's `amr` (RFC 8176 values such as `mfa`, `hwk`). */
  amr?: readonly string[];
  /** The user must have authenticated at most this many seconds ago (`auth_time`). */
  maxAge?: number;
}

/**
 * Step-up authentication (RFC 9470): the user's sign-in must meet `acr`, `amr` and `maxAge`.
 * Refusal: 401 `error="insufficient_user_authentication"` with `acr_values` and/or `max_age`
 * in the challenge, so the client can ask the authorization server again.
 *
 * @example
 * ```ts
 * requireAuthentication({ acr: ['urn:tessera:mfa'], maxAge: 300 });
 * ```
 */
export function requireAuthentication(requirement: AuthenticationRequirement): Requirement {
  const { acr, amr, maxAge } = requirement;
  if (!acr?.length && !amr?.length && maxAge === undefined) throw new TypeError('requireAuthentication needs acr, amr or maxAge');
  const challenge = { acr_values: acr?.length ? acr.join(' ') : undefined, max_age: maxAge };
  const refuse = (description: string) =>
    new GuardError('ERR_GUARD_INSUFFICIENT_USER_AUTHENTICATION', description, { error: 'insufficient_user_authentication', ...challenge });
  return {
    description: `authentication ${[acr && `acr ${acr.join('|')}`, amr && `amr ${amr.join('+')}`, maxAge !== undefined && `within ${maxAge} s`].filter(Boolean).join(', ')}`,
    check(claims: AccessTokenClaims, nowMs: number) {
      if (acr?.length && (claims.acr === undefined || !acr.includes(claims.acr))) {
        return refuse(`authentication level (acr) must be ${acr.join(' or ')}`);
      }
      const methods = new Set(claims.amr ?? []);
      const missing = amr?.filter((method) => !methods.has(method)) ?? [];
      if (missing.length > 0) return refuse(`authentication methods (amr) must include ${missing.join(' ')}`);
      if (maxAge !== undefined && (claims.auth_time === undefined || nowMs / 1000 - claims.auth_time > maxAge)) {
        return refuse(`authentication is older than ${maxAge} seconds (auth_time)`);
      }
      return undefined;
    },
  };
}
