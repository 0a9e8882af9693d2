import { applicationProblems, type ApplicationFields } from '../../config/declarative-config.js';
import { createApiRepository, type Api } from '../../db/repositories/apis.js';
import { createTenantRepository } from '../../db/repositories/tenants.js';
import { managementApi } from '../management-api.js';
import { ManagementError, jsonPointer } from '../management-error.js';
import type { ManagementContext } from '../resource.js';

/** The tenant's APIs by identifier, the built-in management API included. */
export async function tenantApis(ctx: ManagementContext): Promise<Map<string, Api>> {
  const apis = await createApiRepository(ctx.db).list(ctx.tenantId);
  return new Map([...apis, managementApi(ctx.tenantId)].map((api) => [api.identifier, api]));
}

/**
 * An application as a whole, as it would be stored: the same cross-field rules as the
 * configuration file, http:// redirect URIs only where the tenant allows them outside
 * production, and every permission or app role naming an API of this tenant and a name it defines.
 */
export async function assertApplicationValid(ctx: ManagementContext, app: Partial<ApplicationFields> & Pick<ApplicationFields, 'type'>): Promise<void> {
  const tenant = await createTenantRepository(ctx.db).find(ctx.tenantId);
  const allowHttp = !ctx.services.production && tenant?.allowHttpRedirectUris === true;
  const problems = applicationProblems(app, { allowHttp });
  const apis = await tenantApis(ctx);
  const check = (grants: { api: string; names: string[] }[] | undefined, field: 'permissions' | 'appRoles') => {
    grants?.forEach((grant, index) => {
      const api = apis.get(grant.api);
      if (!api) {
        problems.push({ path: [field, index, 'api'], message: `no API "${grant.api}" in tenant "${ctx.tenantId}"` });
        return;
      }
      const defined = new Set((field === 'permissions' ? api.scopes : api.appRoles).map((p) => p.name));
      grant.names.forEach((name, n) => {
        if (!defined.has(name)) {
          problems.push({ path: [field, index, field === 'permissions' ? 'scopes' : 'roles', n], message: `API "${grant.api}" defines no ${field === 'permissions' ? 'scope' : 'app role'} "${name}"` });
        }
      });
    });
  };
  check(app.permissions?.map((p) => ({ api: p.api, names: p.scopes })), 'permissions');
  check(app.appRoles?.map((r) => ({ api: r.api, names: r.roles })), 'appRoles');
  if (problems.length) {
    const errors = problems.map((p) => ({ path: jsonPointer(p.path), message: p.message }));
    throw new ManagementError(400, 'request.validation_failed', `${errors[0]!.path} ${errors[0]!.message}`, errors);
  }
}

/**
 * Browser origins allowed to call the token endpoint cross-origin: for an SPA, the origins of
 * its redirect URIs; others make no browser calls to it.
 */
export function corsOriginsOf(app: { type: string; redirectUris: string[] }): string[] {
  if (app.type !== 'spa') return [];
  return [...new Set(app.redirectUris.filter((uri) => URL.canParse(uri)).map((uri) => new URL(uri).origin))];
}
