import { DEFAULT_SCOPE, splitScope } from './oidc-scopes.js';
import type { TenantSnapshot } from './tenant-snapshot.js';

type Params = Record<string, string | string[] | undefined>;

/**
 * Lets clients name API permissions the way Entra ID clients do — `api://weather/weather.read`,
 * `api://weather/.default` — by rewriting them, before oidc-provider sees the request, into
 * RFC 8707 form: `resource=api://weather` plus the API's own scope names.
 *
 * `{api}/.default` means every permission already granted to the client for that API: its
 * configured delegated permissions for user flows; nothing delegated for client_credentials,
 * whose tokens carry the application's app roles. Validation (unknown API or scope) happens
 * inside oidc-provider, so errors take the protocol's proper form (see resource-servers.ts).
 */
export async function rewriteScopeParameters(params: Params, snapshot: TenantSnapshot): Promise<boolean> {
  const scopes = splitScope(params.scope);
  if (!scopes.some(isApiQualified)) return false;

  const resources = new Set(toArray(params.resource));
  const rewritten: string[] = [];
  for (const scope of scopes) {
    if (!isApiQualified(scope)) {
      rewritten.push(scope);
      continue;
    }
    const cut = scope.lastIndexOf('/');
    const api = scope.slice(0, cut);
    const name = scope.slice(cut + 1);
    resources.add(api);
    if (name !== DEFAULT_SCOPE) {
      rewritten.push(name);
    } else if (params.grant_type !== 'client_credentials') {
      rewritten.push(...await grantedScopes(snapshot, params.client_id, api));
    }
  }
  params.scope = [...new Set(rewritten)].join(' ') || undefined;
  const list = [...resources];
  params.resource = list.length === 1 ? list[0] : list;
  if (params.scope === undefined) delete params.scope;
  return true;
}

/** `api://x/name`, `https://host/path/name`, `urn:x:y/name`: a URI, then one scope name. */
function isApiQualified(scope: string): boolean {
  const cut = scope.lastIndexOf('/');
  return cut > 0 && cut < scope.length - 1 && /^[a-z][a-z0-9+.-]*:/i.test(scope);
}

async function grantedScopes(snapshot: TenantSnapshot, clientId: unknown, api: string): Promise<string[]> {
  if (typeof clientId !== 'string') return [];
  const app = await snapshot.findApplication(clientId);
  return app?.permissions.filter((p) => p.api === api).flatMap((p) => p.scopes) ?? [];
}

function toArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
