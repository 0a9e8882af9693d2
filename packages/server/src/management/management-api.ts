import type { Api } from '../db/repositories/apis.js';

/**
 * The built-in API every tenant has: the Management REST API. Its access tokens have the audience
 * `tessera:management`; a daemon gets its permissions as app roles (client_credentials with
 * `scope=tessera:management/.default`), a signed-in administrator as delegated scopes. Not stored:
 * it is added to each tenant's APIs when the tenant's provider is built (tenant-snapshot.ts).
 */
export const MANAGEMENT_API = 'tessera:management';

/** Resource groups; each has `.read` and `.write` permissions. */
export const MANAGEMENT_AREAS = ['tenants', 'applications', 'apis', 'users', 'groups', 'roles', 'consents'] as const;
export type ManagementArea = (typeof MANAGEMENT_AREAS)[number] | 'audit';

export const MANAGEMENT_PERMISSIONS: { name: string; description: string }[] = [
  ...MANAGEMENT_AREAS.flatMap((area) => [
    { name: `${area}.read`, description: `Read ${area}` },
    { name: `${area}.write`, description: `Create, change and delete ${area}` },
  ]),
  { name: 'audit.read', description: 'Read audit events' },
];

/**
 * A user's delegated token counts a permission only if the user also holds it as a role on this
 * API (or the `admin` role): consenting to `users.write` must not make anyone an administrator.
 */
export const MANAGEMENT_ADMIN_ROLE = 'admin';

export function managementApi(tenantId: string): Api {
  return {
    id: `builtin:${tenantId}:management`,
    tenantId,
    identifier: MANAGEMENT_API,
    name: 'Tessera Management API',
    scopes: MANAGEMENT_PERMISSIONS,
    appRoles: MANAGEMENT_PERMISSIONS,
    // Short-lived: management tokens are powerful (ASVS V3.5).
    accessTokenTtlSeconds: 600,
    signingAlg: 'ES256',
    groupsClaim: false,
    allowedClients: null,
  };
}
