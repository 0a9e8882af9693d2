import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { APPLICATION_TYPES, isPublicClientType, type ApplicationType } from '../db/repositories/applications.js';
import { isValidTenantId, RESERVED_TENANT_IDS } from '../db/repositories/tenants.js';
import { readCertificatePem } from '../security/certificates.js';
import { assertKnownHash } from '@tessera/passwords';
import { AccountSettingsSchema } from './account-settings.js';
import { ApplicationMfaSchema, type ApplicationMfa } from './mfa-settings.js';
import { managementApi } from '../management/management-api.js';

/**
 * The declarative configuration file (`tessera apply FILE`, `tessera start --config FILE`),
 * documented field by field in docs/configuration.md. Optional fields have no zod defaults on
 * purpose: a field left out is left as it is in the database (defaults apply on creation only).
 */

/** Scope and role names: safe in a space-separated `scope` parameter and in a JWT claim. */
export const PERMISSION_NAME_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._-]{2,128}$/;
export const USERNAME_PATTERN = /^[\p{L}\p{N}._@+-]{1,128}$/u;
export const SIGNING_ALG_VALUES = ['ES256', 'RS256'] as const;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Upper bounds on lists, so a file (or later an API call) cannot make one application's metadata
 * or one token's claims unbounded. Documented in docs/configuration.md ("Limits").
 */
export const CONFIG_LIMITS = {
  permissionsPerApi: 200, redirectUris: 256, secrets: 20, certificates: 20, grantsPerApp: 100, namesPerGrant: 200, rolesPerUser: 100,
  uriLength: 2048,
  /** Tenant `roles:` and `groups:` blocks (docs/roles-and-groups.md). */
  roles: 1000, groups: 1000, membersPerGroup: 10_000,
} as const;

/** A list with an upper bound and a message that names it. */
const listOf = <T extends z.ZodType>(item: T, max: number) => z.array(item).max(max, `must have at most ${max} entries`);

const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

const DisplayNameSchema = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters')
  .refine(noControlCharacters, 'must not contain control characters');
const DescriptionSchema = z.string().max(1000, 'must be at most 1000 characters');

const PermissionNameSchema = z.string()
  .regex(PERMISSION_NAME_PATTERN, 'must be 1–128 letters, digits, ".", "_", ":" or "-"')
  .refine((name) => name !== '.default', '".default" is reserved: it asks for every app role granted to a client');

/** `weather.read` or `{ name: weather.read, description: ... }`. */
const PermissionSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.strictObject({
    name: PermissionNameSchema,
    /** What users read on the consent page, in the API's words. */
    description: DescriptionSchema.optional(),
    /** What an administrator reads when consenting for the whole tenant (Entra's admin consent description); default: `description`. */
    adminDescription: DescriptionSchema.optional(),
  }),
);

/** An API identifier is the audience of its access tokens: `api://weather` or `https://api.example.com`. */
export function apiIdentifierProblem(identifier: string): string | undefined {
  if (!/^(api|https):\/\/[^\s/?#][^\s?#]*$/.test(identifier) || !URL.canParse(identifier)) {
    return 'must be an absolute URI such as api://weather or https://api.example.com (no query, fragment or spaces)';
  }
  if (identifier.endsWith('/.default')) return 'must not end with "/.default"';
  return undefined;
}

export const ApiSchema = z.strictObject({
  identifier: z.string().superRefine((value, ctx) => {
    const problem = apiIdentifierProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  name: DisplayNameSchema,
  scopes: listOf(PermissionSchema, CONFIG_LIMITS.permissionsPerApi).optional(),
  appRoles: listOf(PermissionSchema, CONFIG_LIMITS.permissionsPerApi).optional(),
  /** Seconds; left out, each token lives a random 60–90 minutes. */
  accessTokenLifetime: z.number().int().min(60).max(86_400).optional(),
  signingAlg: z.enum(SIGNING_ALG_VALUES).optional(),
  /** Access tokens for this API carry the user's group names (docs/roles-and-groups.md); default false. */
  groupsClaim: z.boolean().optional(),
  /**
   * Client ids allowed to get tokens for this API; null or left out on creation: any application
   * with a permission or app role on it. Each must be an application of the tenant (checked at apply time).
   */
  allowedClients: listOf(z.string().regex(CLIENT_ID_PATTERN, 'must be 2–128 letters, digits, ".", "_" or "-"'), CONFIG_LIMITS.grantsPerApp)
    .nullable().optional(),
});

/**
 * Redirect URIs are compared as exact strings (RFC 9700 §4.1.3, OAuth 2.1 §2.3.1), never
 * normalized. Confidential and browser clients need https outside loopback (RFC 6749 §3.1.2.1);
 * native apps may use a private-use reverse-DNS scheme or loopback (RFC 8252 §7.1, §7.3).
 */
export function redirectUriProblem(type: ApplicationType, uri: string, options: { allowHttp?: boolean } = {}): string | undefined {
  if (type === 'daemon') return 'daemon applications have no redirect URIs (they sign in as themselves)';
  if (/\s/.test(uri) || !URL.canParse(uri)) return 'must be an absolute URI without spaces';
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  if (uri.includes('*')) return 'must not contain a wildcard: redirect URIs are compared as exact strings (RFC 9700 §4.1.3)';
  const url = new URL(uri);
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    // A tenant may allow http:// for development (never honoured in production: management/resources/applications.ts).
    return loopback || options.allowHttp ? undefined : 'http:// is allowed only on localhost, 127.0.0.1 or [::1]; use https://';
  }
  if (type === 'native' && /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/i.test(url.protocol)) return undefined;
  return type === 'native'
    ? 'must be https://, http:// on loopback, or a reverse-DNS custom scheme such as com.example.app:/callback'
    : 'must be https:// (or http:// on localhost)';
}

const SecretSchema = z.strictObject({
  value: z.string().min(16, 'must be at least 16 characters').max(512, 'must be at most 512 characters'),
  description: DescriptionSchema.optional(),
  expiresAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 date or date-time' })
    .optional(),
});

const CertificateSchema = z.union([
  z.strictObject({
    pem: z.string().superRefine((pem, ctx) => {
      try {
        readCertificatePem(pem);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not a PEM-encoded X.509 certificate' });
      }
    }),
  }),
  z.strictObject({
    jwk: z.record(z.string(), z.unknown()).superRefine((jwk, ctx) => {
      const problem = publicJwkProblem(jwk);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  }),
], { error: 'must be { pem: "-----BEGIN CERTIFICATE-----..." } or { jwk: { ...public JWK } }' });

function publicJwkProblem(jwk: Record<string, unknown>): string | undefined {
  if ('d' in jwk || 'k' in jwk) return 'must be a public key; this JWK contains private or symmetric key material';
  try {
    createPublicKey({ key: jwk as never, format: 'jwk' });
    return undefined;
  } catch {
    return 'is not a valid public JWK';
  }
}

const ApiReferenceSchema = z.string().min(1);
const PermissionGrantSchema = z.strictObject({ api: ApiReferenceSchema, scopes: listOf(PermissionNameSchema, CONFIG_LIMITS.namesPerGrant) });
const RoleGrantSchema = z.strictObject({ api: ApiReferenceSchema, roles: listOf(PermissionNameSchema, CONFIG_LIMITS.namesPerGrant) });

// --- Groups and roles (docs/roles-and-groups.md) ---
/** A user's or group's roles: `api` left out or null means tenant-wide (in tokens for every API). */
export const UserRoleGrantSchema = z.strictObject({
  api: ApiReferenceSchema.nullable().optional(),
  roles: listOf(PermissionNameSchema, CONFIG_LIMITS.namesPerGrant),
}).transform((grant) => ({ api: grant.api ?? null, roles: grant.roles }));
/** A tenant's `roles:` entry: a role definition (a name with a description), per API or tenant-wide. */
export const RoleDefinitionSchema = z.strictObject({
  name: PermissionNameSchema, api: ApiReferenceSchema.optional(), description: DescriptionSchema.optional(),
});
/** A tenant's `groups:` entry; `members` are usernames or emails of users in the file or the database. */
export const GroupSchema = z.strictObject({
  /** In the `groups` claim: 1–128 characters, no control characters; unique per tenant in any case. */
  name: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters')
    .refine(noControlCharacters, 'must not contain control characters'),
  description: DescriptionSchema.optional(),
  roles: listOf(UserRoleGrantSchema, CONFIG_LIMITS.rolesPerUser).optional(),
  members: listOf(z.string().min(1).max(254), CONFIG_LIMITS.membersPerGroup).optional(),
});
// --- end groups and roles ---

/** An application's fields; the rules across fields are in `applicationProblems`. */
export const ApplicationFieldsSchema = z.strictObject({
  clientId: z.string().regex(CLIENT_ID_PATTERN, 'must be 2–128 letters, digits, ".", "_" or "-"'),
  name: DisplayNameSchema.optional(),
  type: z.enum(APPLICATION_TYPES, { error: `must be one of ${APPLICATION_TYPES.join(', ')}` }),
  redirectUris: listOf(z.string().max(CONFIG_LIMITS.uriLength), CONFIG_LIMITS.redirectUris).optional(),
  postLogoutRedirectUris: listOf(z.string().max(CONFIG_LIMITS.uriLength), CONFIG_LIMITS.redirectUris).optional(),
  idTokenSigningAlg: z.enum(SIGNING_ALG_VALUES).optional(),
  secrets: listOf(SecretSchema, CONFIG_LIMITS.secrets).optional(),
  certificates: listOf(CertificateSchema, CONFIG_LIMITS.certificates).optional(),
  permissions: listOf(PermissionGrantSchema, CONFIG_LIMITS.grantsPerApp).optional(),
  appRoles: listOf(RoleGrantSchema, CONFIG_LIMITS.grantsPerApp).optional(),
  /** OpenID Connect Back-Channel Logout 1.0 §2.2; web apps only (docs/logout-and-token-status.md). */
  backchannelLogoutUri: z.string().max(CONFIG_LIMITS.uriLength).optional(),
  /**
   * This application's MFA policy over its tenant's `accounts.mfa` (docs/mfa.md): `policy`, `factors` or both;
   * null clears it. An empty override is no override: `{}` is stored as null.
   */
  mfa: ApplicationMfaSchema.transform((mfa) => (Object.keys(mfa).length ? mfa : null)).nullable().optional(),
});

export type ApplicationFields = z.infer<typeof ApplicationFieldsSchema>;

/** Rules across an application's fields (public clients hold no credential, …); also used by the management API. */
export function applicationProblems(app: Partial<ApplicationFields> & Pick<ApplicationFields, 'type'>, options: { allowHttp?: boolean } = {}): { message: string; path: (string | number)[] }[] {
  const problems: { message: string; path: (string | number)[] }[] = [];
  if (app.backchannelLogoutUri !== undefined) {
    // Only a web app has a server the OP can reach; SPAs and native apps run on the user's
    // device, daemons have no user sessions. The URI: absolute, no fragment, https or loopback http.
    const problem = app.type === 'web'
      ? redirectUriProblem('web', app.backchannelLogoutUri)
      : 'only web applications have a back-channel logout URI (a server the identity provider can reach)';
    if (problem) problems.push({ message: problem, path: ['backchannelLogoutUri'] });
  }
  for (const field of ['redirectUris', 'postLogoutRedirectUris'] as const) {
    app[field]?.forEach((uri, index) => {
      const problem = redirectUriProblem(app.type, uri, options);
      if (problem) problems.push({ message: problem, path: [field, index] });
    });
  }
  const isPublic = isPublicClientType(app.type);
  const publicProblem = `${app.type} applications are public clients (OAuth 2.1 §2.1): they cannot keep a credential`;
  if (isPublic && app.secrets?.length) problems.push({ message: publicProblem, path: ['secrets'] });
  if (isPublic && app.certificates?.length) problems.push({ message: publicProblem, path: ['certificates'] });
  if (isPublic && app.appRoles?.length) {
    problems.push({ message: 'app roles need a confidential client (web or daemon)', path: ['appRoles'] });
  }
  if (app.type === 'daemon' && app.permissions?.length) {
    problems.push({ message: 'daemons act as themselves: grant appRoles, not delegated permissions', path: ['permissions'] });
  }
  problems.push(...applicationMfaProblems(app.mfa));
  return problems;
}

/** An application's MFA override: each factor once, and MFA required only with a factor to satisfy it (else nobody could sign in). */
function applicationMfaProblems(mfa: ApplicationMfa | null | undefined): { message: string; path: (string | number)[] }[] {
  const factors = mfa?.factors;
  if (!factors) return [];
  const problems = factors.flatMap((factor, index) => (factors.indexOf(factor) === index ? []
    : [{ message: `repeats "${factor}"`, path: ['mfa', 'factors', index] }]));
  if (mfa.policy === 'required' && factors.length === 0) {
    problems.push({ message: 'must allow at least one factor when the policy is "required"', path: ['mfa', 'factors'] });
  }
  return problems;
}

export const ApplicationSchema = ApplicationFieldsSchema.superRefine((app, ctx) => {
  for (const problem of applicationProblems(app)) ctx.addIssue({ code: 'custom', ...problem });
});

export const UserSchema = z.strictObject({
  username: z.string().regex(USERNAME_PATTERN, 'must be 1–128 letters, digits, ".", "_", "@", "+" or "-"').optional(),
  email: z.email('must be an email address').max(254).optional(),
  emailVerified: z.boolean().optional(),
  name: DisplayNameSchema.optional(),
  password: z.string().min(8, 'must be at least 8 characters').max(1024, 'must be at most 1024 characters').optional(),
  /** Any format @tessera/passwords verifies (argon2, bcrypt, Django, passlib, scrypt, …); upgraded to argon2id at next sign-in. */
  passwordHash: z.string().max(4096).superRefine((hash, ctx) => {
    try {
      assertKnownHash(hash);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not a password hash Tessera verifies: ${(error as Error).message} (see docs/passwords.md)` });
    }
  }).optional(),
  roles: listOf(UserRoleGrantSchema, CONFIG_LIMITS.rolesPerUser).optional(),
}).superRefine((user, ctx) => {
  if (user.username === undefined && user.email === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a user needs a username or an email' });
  }
  if (user.password !== undefined && user.passwordHash !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'give password or passwordHash, not both', path: ['passwordHash'] });
  }
});

export const TenantSchema = z.strictObject({
  id: z.string().superRefine((id, ctx) => {
    if (RESERVED_TENANT_IDS.has(id)) ctx.addIssue({ code: 'custom', message: `"${id}" is reserved for Tessera's own routes` });
    else if (!isValidTenantId(id)) {
      ctx.addIssue({ code: 'custom', message: 'must be 2–63 lowercase letters, digits or "-", starting with a letter or digit' });
    }
  }),
  name: DisplayNameSchema.optional(),
  apis: z.array(ApiSchema).default([]),
  applications: z.array(ApplicationSchema).default([]),
  users: z.array(UserSchema).default([]),
  /** Role definitions and groups (docs/roles-and-groups.md): created or updated, never deleted. */
  roles: listOf(RoleDefinitionSchema, CONFIG_LIMITS.roles).optional(),
  groups: listOf(GroupSchema, CONFIG_LIMITS.groups).optional(),
  /** Registration, verification, password policy, limits and mail (docs/accounts.md). Stored as written; replaces the stored block. */
  accounts: z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const parsed = AccountSettingsSchema.safeParse(value);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  }).optional(),
}).superRefine((tenant, ctx) => checkTenantReferences(tenant, ctx));

export const DeclarativeConfigSchema = z.strictObject({
  tenants: z.array(TenantSchema).default([]),
}).superRefine((config, ctx) => {
  reportDuplicates(ctx, config.tenants.map((tenant, index) => ({ key: tenant.id, path: ['tenants', index, 'id'] })), 'tenant id');
});

export type DeclarativeConfig = z.infer<typeof DeclarativeConfigSchema>;
export type TenantConfig = z.infer<typeof TenantSchema>;
export type ApiConfig = z.infer<typeof ApiSchema>;
export type ApplicationConfig = z.infer<typeof ApplicationSchema>;
export type UserConfig = z.infer<typeof UserSchema>;
export type RoleDefinitionConfig = z.infer<typeof RoleDefinitionSchema>;
export type GroupConfig = z.infer<typeof GroupSchema>;
export type CertificateConfig = z.infer<typeof CertificateSchema>;

type Ctx = z.RefinementCtx;
type Path = (string | number)[];

function reportDuplicates(ctx: Ctx, items: { key: string; path: Path }[], what: string): void {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.key)) ctx.addIssue({ code: 'custom', message: `duplicate ${what} "${item.key}"`, path: item.path });
    seen.add(item.key);
  }
}

/** Uniqueness within the tenant, and every grant pointing at an API of this tenant and a name it defines. */
function checkTenantReferences(tenant: TenantConfig, ctx: Ctx): void {
  reportDuplicates(ctx, tenant.apis.map((api, i) => ({ key: api.identifier, path: ['apis', i, 'identifier'] })), 'API identifier');
  reportDuplicates(ctx, tenant.applications.map((app, i) => ({ key: app.clientId, path: ['applications', i, 'clientId'] })), 'clientId');
  // Allowed clients name applications of the file or the database: the database is checked at apply time (apply-config.ts).
  tenant.apis.forEach((api, a) => reportDuplicates(ctx, (api.allowedClients ?? []).map((clientId, i) => ({ key: clientId, path: ['apis', a, 'allowedClients', i] })), 'allowed client'));
  // Usernames and emails share one sign-in namespace, compared case-insensitively like the database does.
  reportDuplicates(ctx, tenant.users.flatMap((user, i) => [
    ...(user.username === undefined ? [] : [{ key: user.username.toLowerCase(), path: ['users', i, 'username'] }]),
    ...(user.email === undefined ? [] : [{ key: user.email.toLowerCase(), path: ['users', i, 'email'] }]),
  ]), 'username or email');

  // The built-in management API may be granted too (a daemon that automates administration).
  const builtIn = managementApi(tenant.id);
  const apis = new Map<string, { scopes?: { name: string }[] | undefined; appRoles?: { name: string }[] | undefined }>(
    [...tenant.apis.map((api) => [api.identifier, api] as const), [builtIn.identifier, builtIn] as const]);
  const check = (api: string, names: string[], kind: 'scopes' | 'appRoles' | null, path: Path) => {
    const defined = apis.get(api);
    if (!defined) {
      ctx.addIssue({ code: 'custom', message: `no API "${api}" in tenant "${tenant.id}"`, path: [...path, 'api'] });
      return;
    }
    if (kind === null) return;
    const known = new Set((defined[kind] ?? []).map((p) => p.name));
    names.forEach((name, index) => {
      if (known.has(name)) return;
      const noun = kind === 'scopes' ? 'scope' : 'app role';
      ctx.addIssue({ code: 'custom', message: `API "${api}" defines no ${noun} "${name}"`, path: [...path, kind === 'scopes' ? 'scopes' : 'roles', index] });
    });
  };
  tenant.applications.forEach((app, a) => {
    app.permissions?.forEach((grant, g) => check(grant.api, grant.scopes, 'scopes', ['applications', a, 'permissions', g]));
    app.appRoles?.forEach((grant, g) => check(grant.api, grant.roles, 'appRoles', ['applications', a, 'appRoles', g]));
  });
  // User and group roles are free-form names per API or tenant-wide (they land in the `roles` claim); only a named API must exist.
  const checkApi = (api: string | null | undefined, path: Path) => (api == null ? undefined : check(api, [], null, path));
  tenant.users.forEach((user, u) => user.roles?.forEach((grant, g) => checkApi(grant.api, ['users', u, 'roles', g])));
  checkGroupsAndRoles(tenant, ctx, checkApi);
}

/** Role definitions unique per API (or tenant-wide), group names unique in any case, and only APIs of the tenant. */
function checkGroupsAndRoles(tenant: TenantConfig, ctx: Ctx, checkApi: (api: string | null | undefined, path: Path) => void): void {
  reportDuplicates(ctx, (tenant.roles ?? []).map((role, i) => ({ key: `${role.api ?? '(tenant-wide)'} ${role.name}`, path: ['roles', i, 'name'] })), 'role');
  reportDuplicates(ctx, (tenant.groups ?? []).map((group, i) => ({ key: group.name.toLowerCase(), path: ['groups', i, 'name'] })), 'group name');
  tenant.roles?.forEach((role, r) => checkApi(role.api, ['roles', r]));
  tenant.groups?.forEach((group, gi) => group.roles?.forEach((grant, g) => checkApi(grant.api, ['groups', gi, 'roles', g])));
}
