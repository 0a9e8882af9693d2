import { readBearerToken } from './authorization-header.js';
import type { AccessTokenClaims } from './claims.js';
import type { Guard } from './create-guard.js';
import { GuardError } from './guard-error.js';
import type { Requirement } from './requirements.js';

/** The result of {@link authorizeRequest}: the claims, or the refusal to send. */
export type AuthorizeResult = { ok: true; claims: AccessTokenClaims } | { ok: false; error: GuardError };

/**
 * The framework-neutral core of every adapter: reads the bearer token from the
 * `Authorization` header, verifies it and checks the requirements. Errors that are not about
 * the request (bugs) are rethrown for the framework's error handler.
 *
 * @example
 * ```ts
 * const result = await authorizeRequest(guard, req.headers.authorization, [requireScopes('weather.read')]);
 * if (!result.ok) res.writeHead(result.error.status, refusalHeaders(result.error)).end();
 * ```
 */
export async function authorizeRequest(
  guard: Guard,
  header: string | readonly string[] | undefined | null,
  requirements: readonly Requirement[],
): Promise<AuthorizeResult> {
  let claims: AccessTokenClaims;
  try {
    claims = await guard.verify(readBearerToken(header));
  } catch (error) {
    if (error instanceof GuardError) return { ok: false, error };
    throw error;
  }
  return checkRequirements(guard, claims, requirements);
}

/**
 * {@link authorizeRequest} without waiting, for a token the guard's verified-token cache holds:
 * the result, or undefined when the request needs the full (asynchronous) path. Adapters try it
 * first so a repeated token costs no promise.
 *
 * @example
 * ```ts
 * const result = authorizeCached(guard, req.headers.authorization, requirements)
 *   ?? await authorizeRequest(guard, req.headers.authorization, requirements);
 * ```
 */
export function authorizeCached(
  guard: Guard,
  header: string | readonly string[] | undefined | null,
  requirements: readonly Requirement[],
): AuthorizeResult | undefined {
  // Only a token that was verified before can be in the cache, and it was read from a
  // well-formed header then: the exact same string needs no second scan of its characters.
  // Anything else (another spelling of the scheme, extra spaces) misses and takes the full path.
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return undefined;
  const claims = guard.verifiedClaims(header.slice(7));
  return claims ? checkRequirements(guard, claims, requirements) : undefined;
}

function checkRequirements(guard: Guard, claims: AccessTokenClaims, requirements: readonly Requirement[]): AuthorizeResult {
  const now = guard.clock();
  for (const requirement of requirements) {
    const refusal = requirement.check(claims, now);
    if (refusal) return { ok: false, error: refusal };
  }
  return { ok: true, claims };
}

/**
 * The headers of a refusal: the RFC 6750 challenge, JSON body type, and `no-store`.
 *
 * @example
 * ```ts
 * res.writeHead(error.status, refusalHeaders(error)).end(JSON.stringify(error));
 * ```
 */
export function refusalHeaders(error: GuardError): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (error.status === 401 || error.status === 403) headers['www-authenticate'] = error.wwwAuthenticate;
  return headers;
}
