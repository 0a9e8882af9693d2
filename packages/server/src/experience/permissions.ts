import type { TenantSnapshot } from '../provider/tenant-snapshot.js';

const OIDC_DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay signed in to it when you are not using it',
};

/** What a consent prompt asks for, in the words of OpenID Connect or of the API that defines each scope. */
export function describePermissions(details: unknown, snapshot: TenantSnapshot): { name: string; description: string }[] {
  const missing = (details ?? {}) as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
  const oidc = (missing.missingOIDCScope ?? [])
    .map((name) => ({ name, description: OIDC_DESCRIPTIONS[name] ?? name }));
  const apis = Object.entries(missing.missingResourceScopes ?? {}).flatMap(([resource, scopes]) => {
    const api = snapshot.apis.get(resource);
    return scopes.map((name) => ({
      name: `${resource}/${name}`,
      description: api?.scopes.find((s) => s.name === name)?.description ?? `${name} on ${api?.name ?? resource}`,
    }));
  });
  return [...oidc, ...apis];
}
