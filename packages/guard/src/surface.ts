import { requireAuthentication } from './require-authentication.js';
import type { AuthenticationRequirement } from './require-authentication.js';
import { requireAny, requireRoles, requireScopes, toRequirement } from './requirements.js';
import type { Requirement, RequirementLike } from './requirements.js';

/** An adapter's middleware, which also carries its requirement so `requireAny` can combine them. */
export type WithRequirement<M> = M & { readonly requirement: Requirement };

/**
 * What every adapter offers, in its framework's middleware type `M`: one line per route.
 *
 * @example
 * ```ts
 * const { requireScopes } = expressGuard(guard);
 * app.get('/weather', requireScopes('weather.read'), handler);
 * ```
 */
export interface GuardSurface<M> {
  /** Any valid access token. */
  authenticate(): WithRequirement<M>;
  requireScopes(...names: string[]): WithRequirement<M>;
  requireRoles(...names: string[]): WithRequirement<M>;
  requireAny(...alternatives: RequirementLike[]): WithRequirement<M>;
  requireAuthentication(requirement: AuthenticationRequirement): WithRequirement<M>;
  /** Every one of the requirements (built with the core `require*` functions or this surface). */
  requireAll(...requirements: RequirementLike[]): WithRequirement<M>;
}

const ANY_VALID_TOKEN: Requirement = { description: 'a valid access token', check: () => undefined };

/**
 * Builds a {@link GuardSurface} from a function that makes one middleware for a list of
 * requirements; each adapter is this plus its framework's glue.
 *
 * @example
 * ```ts
 * const surface = createSurface((requirements) => myFrameworkMiddleware(guard, requirements));
 * ```
 */
export function createSurface<M extends object>(build: (requirements: Requirement[]) => M): GuardSurface<M> {
  const bind = (requirement: Requirement, requirements: Requirement[] = [requirement]): WithRequirement<M> =>
    Object.assign(build(requirements), { requirement });
  return {
    authenticate: () => bind(ANY_VALID_TOKEN, []),
    requireScopes: (...names) => bind(requireScopes(...names)),
    requireRoles: (...names) => bind(requireRoles(...names)),
    requireAny: (...alternatives) => bind(requireAny(...alternatives)),
    requireAuthentication: (requirement) => bind(requireAuthentication(requirement)),
    requireAll: (...requirements) => {
      const all = requirements.map(toRequirement);
      const combined: Requirement = {
        description: all.map((r) => r.description).join(' and '),
        check: (claims, now) => all.map((r) => r.check(claims, now)).find(Boolean),
      };
      return bind(combined, all);
    },
  };
}
