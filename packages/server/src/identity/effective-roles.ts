import type { RoleGrant, UserGroup } from '../db/repositories/groups.js';

/**
 * The most group names an access token carries in `groups`. A user in more groups gets
 * `groups_overage: true` instead of a truncated list (a partial list would silently deny access;
 * Entra ID's `hasgroups` does the same): the application then reads the full list from
 * `GET /api/v1/tenants/{tenant}/users/{id}/groups`. Tenant-wide and fixed, so every token for
 * every API is bounded the same way (docs/roles-and-groups.md).
 */
export const GROUPS_CLAIM_LIMIT = 150;

/**
 * Role names for tokens whose audience is `api`: grants for that API and tenant-wide grants
 * (`api: null`), the user's own and those of every group the user is in; de-duplicated, sorted.
 *
 * @example
 * effectiveRoles([{ api: 'api://weather', roles: ['reader'] }], [{ id, name: 'staff', roles: [{ api: null, roles: ['staff'] }] }], 'api://weather')
 * // ['reader', 'staff']
 */
export function effectiveRoles(userRoles: readonly RoleGrant[], groups: readonly Pick<UserGroup, 'roles'>[], api: string): string[] {
  const names = new Set<string>();
  for (const grant of [...userRoles, ...groups.flatMap((group) => group.roles)]) {
    // A grant written before tenant-wide roles existed always names its API; a missing one is tenant-wide.
    const grantApi = grant.api ?? null;
    if (grantApi === null || grantApi === api) for (const name of grant.roles) names.add(name);
  }
  return [...names].sort();
}

/**
 * The `groups` claim (names, in the order given), or the overage marker above `limit`; no claim
 * for a user in no group, as `roles` is left out when empty.
 */
export function groupsClaim(groups: readonly Pick<UserGroup, 'name'>[], limit = GROUPS_CLAIM_LIMIT):
  { groups?: string[]; groups_overage?: true } {
  if (groups.length === 0) return {};
  return groups.length > limit ? { groups_overage: true } : { groups: groups.map((group) => group.name) };
}
