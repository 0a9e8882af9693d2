import { invalidField } from '../management-error.js';
import type { ManagementContext } from '../resource.js';
import { tenantApis } from './application-rules.js';

/** Role grants (`[{ api, roles }]`, api null: tenant-wide) may only name APIs of this tenant. */
export async function assertRoleGrantsValid(ctx: ManagementContext, grants: { api: string | null }[] | undefined, field = 'roles'): Promise<void> {
  if (!grants?.length) return;
  const apis = await tenantApis(ctx);
  const index = grants.findIndex((grant) => grant.api !== null && !apis.has(grant.api));
  if (index >= 0) throw invalidField(`/${field}/${index}/api`, `no API "${grants[index]!.api}" in tenant "${ctx.tenantId}"`);
}
