import { scopesOf } from './claims.js';
import type { AccessTokenClaims } from './claims.js';
import { GuardError } from './guard-error.js';

/**
 * A rule a verified token must meet for a route. `check` returns the refusal, or `undefined`
 * when the token passes. Build them with `requireScopes`, `requireRoles`, `requireAny` and
 * `requireAuthentication`; adapters accept them.
 *
 * @example
 * ```ts
 * const rule: Requirement = requireScopes('weather.read');
 * rule.check(claims, Date.now()); // undefined or a GuardError
 * ```
 */
export interface Requirement {
  readonly description: string;
  check(claims: AccessTokenClaims, nowMs: number): GuardError | undefined;
}

/** Anything that carries a requirement: the requirement itself or an adapter's middleware for it. */
export type RequirementLike = Requirement | { readonly requirement: Requirement };

/** The requirement inside a {@link RequirementLike}. @example `toRequirement(expressGuard(g).requireScopes('a'))` */
export function toRequirement(value: RequirementLike): Requirement {
  return 'check' in value ? value : value.requirement;
}

/**
 * Every named delegated scope must be granted, read from `scope` (RFC 9068) and `scp` (Entra
 * ID). Refusal: 403 `insufficient_scope` naming the missing scopes (RFC 6750 §3.1).
 *
 * @example
 * ```ts
 * requireScopes('weather.read'); // a token with scope "weather.read" passes
 * ```
 */
export function requireScopes(...names: string[]): Requirement {
  if (names.length === 0) throw new TypeError('requireScopes needs at least one scope');
  const description = `scope ${names.join(' ')}`;
  return {
    description,
    check(claims) {
      const granted = grantedScopes(claims);
      if (names.every((name) => granted.has(name))) return undefined;
      const missing = names.filter((name) => !granted.has(name));
      return new GuardError('ERR_GUARD_INSUFFICIENT_SCOPE', `token lacks scope ${missing.join(' ')}`, { error: 'insufficient_scope', scope: names.join(' ') });
    },
  };
}

/**
 * The scopes of a claims object, worked out once per object: the verified-token cache hands the
 * same claims object to every request that repeats a token, so a repeated token's scopes are
 * split once, not on every request.
 */
const scopeSets = new WeakMap<object, ReadonlySet<string>>();
function grantedScopes(claims: AccessTokenClaims): ReadonlySet<string> {
  let granted = scopeSets.get(claims);
  if (!granted) {
    granted = scopesOf(claims);
    scopeSets.set(claims, granted);
  }
  return granted;
}

/**
 * Every named role must be in the token's `roles` array (app roles of daemons, user roles).
 * Refusal: 403 `insufficient_scope`.
 *
 * @example
 * ```ts
 * requireRoles('app.weather'); // a daemon token with roles ["app.weather"] passes
 * ```
 */
export function requireRoles(...names: string[]): Requirement {
  if (names.length === 0) throw new TypeError('requireRoles needs at least one role');
  return {
    description: `role ${names.join(' ')}`,
    check(claims) {
      const granted = new Set(claims.roles ?? []);
      const missing = names.filter((name) => !granted.has(name));
      if (missing.length === 0) return undefined;
      return new GuardError('ERR_GUARD_INSUFFICIENT_SCOPE', `token lacks role ${missing.join(' ')}`, { error: 'insufficient_scope' });
    },
  };
}

/**
 * Passes when any one of the requirements passes — e.g. a user's delegated scope or a
 * daemon's app role. Refusal: the first refusal's kind, naming every alternative, with the
 * scopes of all scope alternatives in the challenge.
 *
 * @example
 * ```ts
 * requireAny(requireScopes('weather.read'), requireRoles('app.weather'));
 * ```
 */
export function requireAny(...alternatives: RequirementLike[]): Requirement {
  if (alternatives.length === 0) throw new TypeError('requireAny needs at least one requirement');
  const requirements = alternatives.map(toRequirement);
  const description = `one of: ${requirements.map((r) => r.description).join('; ')}`;
  return {
    description,
    check(claims, now) {
      const refusals: GuardError[] = [];
      for (const requirement of requirements) {
        const refusal = requirement.check(claims, now);
        if (!refusal) return undefined;
        refusals.push(refusal);
      }
      const first = refusals[0] as GuardError;
      const scope = refusals.map((r) => r.parameters.scope).filter(Boolean).join(' ') || undefined;
      return new GuardError(first.code, `token needs ${description}`, { ...first.parameters, error: first.error, status: first.status, scope });
    },
  };
}
