import type { JWTPayload } from 'jose';
import { GuardError } from './guard-error.js';

/**
 * The validated claims of an access token (RFC 9068 §2.2 plus the claims Tessera, Entra ID,
 * Auth0 and Keycloak add). Every listed claim has been checked to have this type; any other
 * claim is `unknown`.
 *
 * @example
 * ```ts
 * function handler(auth: AccessTokenClaims) {
 *   return { user: auth.oid ?? auth.sub, tenant: auth.tid };
 * }
 * ```
 */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  nbf?: number;
  jti?: string;
  client_id?: string;
  azp?: string;
  /** Space-delimited delegated scopes (RFC 9068 §2.2.3, RFC 8693 §4.2). */
  scope?: string;
  /** Entra ID's delegated scopes: a space-delimited string (v1/v2) or, from some providers, an array. */
  scp?: string | string[];
  roles?: string[];
  groups?: string[];
  tid?: string;
  oid?: string;
  acr?: string;
  amr?: string[];
  auth_time?: number;
  [claim: string]: unknown;
}

type Check = (value: unknown) => boolean;
const isString: Check = (value) => typeof value === 'string';
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isStringArray: Check = (value) => Array.isArray(value) && value.every(isString);
const isStringOrArray: Check = (value) => isString(value) || isStringArray(value);

/** The type each known claim must have when present; a token that breaks one is invalid. */
const CLAIM_TYPES: ReadonlyArray<[claim: string, check: Check, expected: string]> = [
  ['sub', isString, 'a string'],
  ['jti', isString, 'a string'],
  ['client_id', isString, 'a string'],
  ['azp', isString, 'a string'],
  ['scope', isString, 'a string'],
  ['scp', isStringOrArray, 'a string or an array of strings'],
  ['roles', isStringArray, 'an array of strings'],
  ['groups', isStringArray, 'an array of strings'],
  ['tid', isString, 'a string'],
  ['oid', isString, 'a string'],
  ['acr', isString, 'a string'],
  ['amr', isStringArray, 'an array of strings'],
  ['auth_time', isNumber, 'a number'],
  ['iat', isNumber, 'a number'],
];

/**
 * Checks the types of the claims the guard and handlers rely on (jose already checked
 * `iss`, `aud`, `exp`, `nbf`); throws `ERR_GUARD_TOKEN_INVALID` naming the first wrong one.
 *
 * @example
 * ```ts
 * const claims = assertClaimTypes(payload); // AccessTokenClaims
 * ```
 */
export function assertClaimTypes(payload: JWTPayload): AccessTokenClaims {
  if (typeof payload.sub !== 'string') throw invalidClaim('sub', 'a string (RFC 9068 §2.2)');
  for (const [claim, check, expected] of CLAIM_TYPES) {
    const value = payload[claim];
    if (value !== undefined && !check(value)) throw invalidClaim(claim, expected);
  }
  return payload as AccessTokenClaims;
}

function invalidClaim(claim: string, expected: string): GuardError {
  return new GuardError('ERR_GUARD_TOKEN_INVALID', `claim ${claim} must be ${expected}`);
}

/**
 * The delegated scopes of a token: `scp` (Entra ID; string or array) and `scope` (RFC 9068,
 * space-delimited) together.
 *
 * @example
 * ```ts
 * scopesOf({ scp: 'weather.read weather.write' }); // Set { 'weather.read', 'weather.write' }
 * ```
 */
export function scopesOf(claims: Pick<AccessTokenClaims, 'scope' | 'scp'>): Set<string> {
  const scopes = new Set<string>();
  const add = (value: string) => value.split(' ').forEach((scope) => scope && scopes.add(scope));
  if (typeof claims.scope === 'string') add(claims.scope);
  if (typeof claims.scp === 'string') add(claims.scp);
  else if (Array.isArray(claims.scp)) claims.scp.forEach(add);
  return scopes;
}
