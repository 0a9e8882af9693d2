/** OpenID Connect's own scopes (Core §5.4, §11): they never name an API. */
export const OPENID_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);

export function splitScopes(value: string | readonly string[] | undefined | null): string[] {
  const list = (typeof value === 'string' ? [value] : [...(value ?? [])]).flatMap((entry) => entry.split(' '));
  return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
}

/** The key a token is cached under: its API scopes, sorted. */
export function scopeKey(scopes: readonly string[]): string {
  return splitScopes(scopes).filter((s) => !OPENID_SCOPES.has(s)).sort().join(' ');
}

/**
 * The API part of an Entra-style scope (`api://weather/weather.read` → `api://weather`), or
 * undefined for a plain scope (`read:forecasts`, Auth0 style, which names its API with `audience`).
 */
export function apiOf(scope: string): string | undefined {
  const slash = scope.lastIndexOf('/');
  return scope.includes('://') && slash > scope.indexOf('://') + 2 ? scope.slice(0, slash) : undefined;
}

/**
 * The scopes to ask for when a user must grant `wanted`: the configured sign-in scopes, the
 * wanted ones, and what was granted before for the same APIs, so the new refresh token still
 * covers them (providers that issue a token for one API at a time, Tessera among them, refuse
 * scopes of two APIs in one request).
 */
export function incrementalScopes(base: readonly string[], wanted: readonly string[], granted: readonly string[]): string[] {
  const apis = new Set(wanted.map(apiOf).filter((api) => api !== undefined));
  const sameApis = granted.filter((scope) => { const api = apiOf(scope); return api !== undefined && apis.has(api); });
  const compatibleBase = base.filter((scope) => { const api = apiOf(scope); return api === undefined || apis.has(api) || apis.size === 0; });
  return splitScopes([...compatibleBase, ...sameApis, ...wanted]);
}
