/** OpenID Connect scopes this provider knows; everything else must belong to an API. */
export const OIDC_SCOPES = ['openid', 'offline_access', 'profile', 'email'] as const;

export const OIDC_SCOPE_SET: ReadonlySet<string> = new Set(OIDC_SCOPES);

/** `.default` stands for every permission already granted to the client for an API. */
export const DEFAULT_SCOPE = '.default';

export function splitScope(scope: unknown): string[] {
  return typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
}
