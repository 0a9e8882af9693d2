import { decodeJwt } from 'jose';
import type { FastifyRequest } from 'fastify';
import type { Adapter } from 'oidc-provider';
import { createAccessTokenVerifier } from '../../provider/access-token-verifier.js';
import type { ProviderRegistry } from '../../provider/provider-registry.js';
import type { TenantSnapshot } from '../../provider/tenant-snapshot.js';
import { MANAGEMENT_ADMIN_ROLE, MANAGEMENT_API, MANAGEMENT_PERMISSIONS } from '../management-api.js';
import { ManagementError } from '../management-error.js';

/** Who calls the management API, and what it may do. */
export interface ManagementPrincipal {
  /** The tenant that issued the token: it manages itself; the admin tenant manages every tenant. */
  issuerTenant: string;
  actor: string;
  permissions: ReadonlySet<string>;
}

const ALL = MANAGEMENT_PERMISSIONS.map((p) => p.name);

/**
 * Bearer tokens (RFC 6750) issued by Tessera itself to the built-in `tessera:management` API,
 * verified like any of its JWT access tokens (RFC 9068: signature, `typ`, issuer, expiry,
 * revocation). Permissions: a daemon's app roles; for a user, the delegated scopes the user
 * also holds as roles on the API (or all of them with the `admin` role).
 */
export function createManagementAuthenticator(options: { registry: ProviderRegistry; publicUrl: string; revoked: (tenantId: string) => Adapter }) {
  const verifiers = new WeakMap<TenantSnapshot, ReturnType<typeof createAccessTokenVerifier>>();
  const verifierFor = (snapshot: TenantSnapshot) => {
    let verify = verifiers.get(snapshot);
    if (!verify) {
      verify = createAccessTokenVerifier({ snapshot, revoked: options.revoked(snapshot.tenant.id) });
      verifiers.set(snapshot, verify);
    }
    return verify;
  };

  return async (request: FastifyRequest): Promise<ManagementPrincipal> => {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.authorization ?? '');
    if (!match) throw unauthorized('a bearer token for the tessera:management API is required', false);
    const token = match[1]!;
    const tenant = issuerTenant(token, options.publicUrl);
    const runtime = tenant ? await options.registry.get(tenant) : undefined;
    if (!tenant || !runtime) throw unauthorized('the token was not issued by this server');
    const check = await verifierFor(runtime.snapshot)(token);
    if (!check.ok) throw unauthorized(check.reason === 'expired' ? 'the token expired' : 'the token is not valid');
    if (!check.audiences.includes(MANAGEMENT_API)) throw unauthorized('the token is not for the tessera:management API');
    const { payload } = check;
    const roles = new Set(Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : []);
    const appOnly = payload.sub !== undefined && payload.sub === payload.client_id;
    let permissions: string[];
    if (appOnly) {
      permissions = ALL.filter((name) => roles.has(name));
    } else {
      const scopes = new Set(typeof payload.scope === 'string' ? payload.scope.split(' ') : []);
      permissions = ALL.filter((name) => scopes.has(name) && (roles.has(MANAGEMENT_ADMIN_ROLE) || roles.has(name)));
    }
    const actor = appOnly ? `client:${String(payload.client_id)}@${tenant}` : `user:${String(payload.oid ?? payload.sub)}@${tenant}`;
    return { issuerTenant: tenant, actor, permissions: new Set(permissions) };
  };
}

function issuerTenant(token: string, publicUrl: string): string | undefined {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    return undefined;
  }
  const prefix = `${publicUrl}/`;
  if (typeof iss !== 'string' || !iss.startsWith(prefix)) return undefined;
  const tenant = iss.slice(prefix.length);
  return /^[a-z0-9][a-z0-9-]{1,62}$/.test(tenant) ? tenant : undefined;
}

/** RFC 6750 §3: 401 with `WWW-Authenticate`; without any token, no error code (§3.1). */
function unauthorized(detail: string, invalidToken = true): ManagementError {
  const challenge = invalidToken
    ? `Bearer realm="tessera-management", error="invalid_token", error_description="${detail}"`
    : 'Bearer realm="tessera-management"';
  return new ManagementError(401, invalidToken ? 'auth.invalid_token' : 'auth.token_required', detail, undefined, { 'WWW-Authenticate': challenge });
}

/** 403 unless the principal holds `permission` and may act on `tenant`. */
export function assertAllowed(principal: ManagementPrincipal, permission: string, tenant: string | undefined, adminTenant: string): void {
  if (tenant !== undefined && principal.issuerTenant !== adminTenant && principal.issuerTenant !== tenant) {
    throw new ManagementError(403, 'auth.wrong_tenant', `a token from tenant "${principal.issuerTenant}" manages only that tenant`);
  }
  if (tenant === undefined && principal.issuerTenant !== adminTenant) {
    throw new ManagementError(403, 'auth.admin_tenant_required', `only tokens from the "${adminTenant}" tenant manage the list of tenants`);
  }
  if (!principal.permissions.has(permission)) {
    throw new ManagementError(403, 'auth.insufficient_scope', `the token lacks the ${permission} permission`, undefined,
      { 'WWW-Authenticate': `Bearer realm="tessera-management", error="insufficient_scope", scope="${permission}"` });
  }
}
