import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { DEFAULT_SCOPE, splitScope } from './oidc-scopes.js';
import type { TenantSnapshot } from './tenant-snapshot.js';

type Params = Record<string, string | string[] | undefined>;

/** An API scope's own name → the API-qualified name the client used (`weather.read` → `api://weather/weather.read`). */
export type ScopeForms = Map<string, string>;

/**
 * Lets clients name API permissions the way Entra ID clients do — `api://weather/weather.read`,
 * `api://weather/.default` — by rewriting them, before oidc-provider sees the request, into
 * RFC 8707 form: `resource=api://weather` plus the API's own scope names.
 *
 * `{api}/.default` means every permission already granted to the client for that API: its
 * configured delegated permissions for user flows; nothing delegated for client_credentials,
 * whose tokens carry the application's app roles. Validation (unknown API or scope) happens
 * inside oidc-provider, so errors take the protocol's proper form (see resource-servers.ts).
 * Returns the names rewritten, so the token response can name them as the client did
 * (answerInClientForm), or undefined when nothing was qualified.
 */
export async function rewriteScopeParameters(params: Params, snapshot: TenantSnapshot): Promise<ScopeForms | undefined> {
  const scopes = splitScope(params.scope);
  if (!scopes.some(isApiQualified)) return undefined;

  const resources = new Set(toArray(params.resource));
  const forms: ScopeForms = new Map();
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
    const names = name !== DEFAULT_SCOPE ? [name]
      : params.grant_type !== 'client_credentials' ? await grantedScopes(snapshot, params.client_id, api)
      : [];
    for (const each of names) forms.set(each, `${api}/${each}`);
    rewritten.push(...names);
  }
  params.scope = [...new Set(rewritten)].join(' ') || undefined;
  const list = [...resources];
  params.resource = list.length === 1 ? list[0] : list;
  if (params.scope === undefined) delete params.scope;
  return forms;
}

const formsOfRequest = new WeakMap<IncomingMessage, ScopeForms>();

/** Remembers how a token request named its API scopes, for answerInClientForm; nothing when there are none (client credentials). */
export function rememberScopeForms(req: IncomingMessage, forms: ScopeForms): void {
  if (forms.size) formsOfRequest.set(req, forms);
}

/**
 * The token response's `scope` names API scopes in the form the token request used: a client
 * that asked for `api://weather/weather.read` is told it got `api://weather/weather.read`, not
 * `weather.read`, as Entra ID answers. MSAL caches the access token under the response's
 * scopes and looks it up by the ones it asks for, so a short name there would make every
 * `acquireTokenSilent` a refresh. A `.default` request is answered with the qualified names it
 * stood for. Requests that used short names (RFC 8707 `resource` + `weather.read`), or sent no
 * `scope`, get the short names. The access token's `scope` claim always has the API's own names.
 * `body` is a successful token response.
 */
export function answerInClientForm(ctx: KoaContextWithOIDC, body: Record<string, unknown>): void {
  const forms = formsOfRequest.get(ctx.req);
  if (!forms || typeof body.scope !== 'string') return;
  body.scope = splitScope(body.scope).map((scope) => forms.get(scope) ?? scope).join(' ');
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
