/** Scopes every user sign-in asks for, as MSAL does: an ID token, a profile and a refresh token. */
export const SIGN_IN_SCOPES = ['openid', 'profile', 'offline_access'] as const;

/** Trimmed, de-duplicated and sorted: the same set always gives the same cache key. */
export function normalizeScopes(scopes: readonly string[] = []): string[] {
  return [...new Set(scopes.flatMap((scope) => scope.split(' ')).map((scope) => scope.trim()).filter(Boolean))].sort();
}

/** The requested scopes plus the sign-in ones, space-delimited (RFC 6749 §3.3). */
export function signInScope(scopes: readonly string[]): string {
  return normalizeScopes([...SIGN_IN_SCOPES, ...scopes]).join(' ');
}

/** The resource scopes without the OpenID Connect ones: what an access token is for. */
export function resourceScopes(scopes: readonly string[]): string[] {
  const oidc = new Set<string>([...SIGN_IN_SCOPES, 'email', 'address', 'phone']);
  return normalizeScopes(scopes).filter((scope) => !oidc.has(scope));
}
