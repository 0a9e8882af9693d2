import { isDeepStrictEqual } from 'node:util';
import type { JWK } from 'jose';
import { recordAuditEvent } from '../audit/audit-log.js';
import type { Db } from '../db/database.js';
import { createApiRepository, type Api, type ApiInput, type Permission } from '../db/repositories/apis.js';
import { createApplicationRepository, type ApplicationInput, type ApplicationWithCredentials } from '../db/repositories/applications.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { createUserRepository, type User, type UserInput } from '../db/repositories/users.js';
import { readCertificatePem, readPublicJwk, type ClientCertificate } from '../security/certificates.js';
import { hashClientSecret, secretHint } from '../security/client-secrets.js';
import type { PasswordContext } from '@tessera/passwords';
import type { SigningKeys } from '../keys/signing-keys.js';
import type {
  ApiConfig, ApplicationConfig, CertificateConfig, DeclarativeConfig, TenantConfig, UserConfig,
} from './declarative-config.js';
import { ConfigFileError, formatPath } from './load-config-file.js';
import { readAccountSettings } from './account-settings.js';
import { applyGroups, applyRoles } from './apply-groups-roles.js';

/**
 * Applies a declarative configuration: idempotent (applying the same file twice changes nothing
 * the second time), all-or-nothing (one transaction) and additive (nothing that is missing from
 * the file is deleted; fields left out keep their stored value). See docs/configuration.md.
 */
export interface ApplySummary {
  /** Human-readable names of what was created, e.g. `application weather-web (demo)`. */
  created: string[];
  /** What was changed, with the changed fields, e.g. `application weather-web (demo): redirectUris`. */
  updated: string[];
  /** How many items in the file already matched the database. */
  unchanged: number;
}

export interface ApplyOptions {
  /** Recorded as the actor of the `config.applied` audit events; `config` unless given. */
  actor?: string;
  /** Validate against the database and report what would change, then roll back. */
  dryRun?: boolean;
  /** The file the configuration came from, for messages about conflicts with the database. */
  fileName?: string;
}

export interface ApplyServices {
  db: Db;
  passwords: PasswordContext;
  signingKeys: Pick<SigningKeys, 'ensure'>;
}

class DryRunRollback extends Error {}

export async function applyConfig(services: ApplyServices, config: DeclarativeConfig, options: ApplyOptions = {}): Promise<ApplySummary> {
  const summary: ApplySummary = { created: [], updated: [], unchanged: 0 };
  try {
    await services.db.transaction().execute(async (trx) => {
      for (const [index, tenant] of config.tenants.entries()) {
        const changes = await applyTenant({ trx, passwords: services.passwords, summary, tenant, path: ['tenants', index], options });
        if (changes.length === 0) continue;
        await createTenantRepository(trx).bumpRevision(tenant.id);
        await recordAuditEvent(trx, {
          tenantId: tenant.id, type: 'config.applied', actor: options.actor ?? 'config', data: { changes },
        });
      }
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
    return summary;
  }
  for (const tenant of config.tenants) await services.signingKeys.ensure(tenant.id);
  return summary;
}

interface TenantStep {
  trx: Db;
  passwords: PasswordContext;
  summary: ApplySummary;
  tenant: TenantConfig;
  path: (string | number)[];
  options: ApplyOptions;
}

/** Applies one tenant; returns the names of what changed in it. */
async function applyTenant(step: TenantStep): Promise<string[]> {
  const changes: string[] = [];
  const record = (kind: 'created' | 'updated' | 'unchanged', name: string, fields: string[] = []) => {
    if (kind === 'unchanged') {
      step.summary.unchanged += 1;
      return;
    }
    const text = fields.length ? `${name}: ${fields.join(', ')}` : name;
    step.summary[kind].push(text);
    changes.push(`${kind} ${text}`);
  };
  await applyTenantRow(step, record);
  await applyApis(step, record);
  await applyApplications(step, record);
  await applyUsers(step, record);
  await applyRoles(step, record);
  await applyGroups(step, record);
  return changes;
}

type RecordChange = (kind: 'created' | 'updated' | 'unchanged', name: string, fields?: string[]) => void;

async function applyTenantRow({ trx, tenant }: TenantStep, record: RecordChange): Promise<void> {
  const tenants = createTenantRepository(trx);
  const existing = await tenants.find(tenant.id);
  const name = `tenant ${tenant.id}`;
  if (!existing) {
    await tenants.insert({ id: tenant.id, name: tenant.name ?? tenant.id });
    record('created', name);
  } else if (tenant.name !== undefined && tenant.name !== existing.name) {
    await tenants.update(tenant.id, { name: tenant.name });
    record('updated', name, ['name']);
  } else {
    record('unchanged', name);
  }
  if (tenant.accounts !== undefined) {
    const next = readAccountSettings(tenant.accounts);
    const accountsName = `account settings (${tenant.id})`;
    if (existing && isDeepStrictEqual(next, existing.accountSettings)) {
      record('unchanged', accountsName);
    } else {
      await tenants.updateAccountSettings(tenant.id, tenant.accounts);
      record(existing ? 'updated' : 'created', accountsName);
    }
  }
}

async function applyApis({ trx, tenant, path, options }: TenantStep, record: RecordChange): Promise<void> {
  await assertAllowedClientsExist(trx, tenant, path, options);
  const apis = createApiRepository(trx);
  const stored = new Map((await apis.list(tenant.id)).map((api) => [api.identifier, api]));
  for (const api of tenant.apis) {
    const existing = stored.get(api.identifier);
    const next = toApiInput(api, existing);
    const name = `API ${api.identifier} (${tenant.id})`;
    if (!existing) {
      await apis.insert(tenant.id, next);
      record('created', name);
      continue;
    }
    const fields = changedFields(next, toApiInput({ identifier: existing.identifier, name: existing.name }, existing));
    if (fields.length) await apis.update(existing.id, next);
    record(fields.length ? 'updated' : 'unchanged', name, fields);
  }
}

function toApiInput(api: ApiConfig, existing: Api | undefined): ApiInput {
  return {
    identifier: api.identifier,
    name: api.name,
    scopes: normalizePermissions(api.scopes ?? existing?.scopes ?? []),
    appRoles: normalizePermissions(api.appRoles ?? existing?.appRoles ?? []),
    accessTokenTtlSeconds: api.accessTokenLifetime ?? existing?.accessTokenTtlSeconds ?? null,
    signingAlg: api.signingAlg ?? existing?.signingAlg ?? 'ES256',
    groupsClaim: api.groupsClaim ?? existing?.groupsClaim ?? false,
    allowedClients: api.allowedClients === undefined ? existing?.allowedClients ?? null : api.allowedClients,
  };
}

/** Every client id an API allows is an application of the file or of the database (docs/configuration.md). */
async function assertAllowedClientsExist(trx: Db, tenant: TenantConfig, path: (string | number)[], options: ApplyOptions): Promise<void> {
  const listed = tenant.apis.flatMap((api, a) => (api.allowedClients ?? []).map((clientId, i) => ({ clientId, where: [...path, 'apis', a, 'allowedClients', i] })));
  if (!listed.length) return;
  const known = new Set([
    ...tenant.applications.map((app) => app.clientId),
    ...(await createApplicationRepository(trx).list(tenant.id)).map((app) => app.clientId),
  ]);
  const problems = listed.filter((item) => !known.has(item.clientId)).map((item) => ({
    path: formatPath(item.where), message: `no application "${item.clientId}" in tenant "${tenant.id}" (in the file or the database)`,
  }));
  if (problems.length) throw new ConfigFileError(options.fileName ?? 'config', problems);
}

/** Drops absent descriptions, so stored JSON and parsed YAML compare equal. */
function normalizePermissions(list: Permission[]): Permission[] {
  return list.map(({ name, description, adminDescription }) => ({
    name, ...(description === undefined ? {} : { description }), ...(adminDescription === undefined ? {} : { adminDescription }),
  }));
}

async function applyApplications(step: TenantStep, record: RecordChange): Promise<void> {
  const { trx, tenant } = step;
  const applications = createApplicationRepository(trx);
  for (const [index, app] of tenant.applications.entries()) {
    const existing = await applications.findByClientId(tenant.id, app.clientId);
    const name = `application ${app.clientId} (${tenant.id})`;
    if (existing && existing.type !== app.type) {
      const path = formatPath([...step.path, 'applications', index, 'type']);
      throw new ConfigFileError(step.options.fileName ?? 'config', [{
        path, message: `"${app.clientId}" is a ${existing.type} application in the database; an application's type cannot change`,
      }]);
    }
    const next = toApplicationInput(app, existing);
    let applicationId: string;
    if (!existing) {
      applicationId = (await applications.insert(tenant.id, next)).id;
      record('created', name);
    } else {
      applicationId = existing.id;
      const { id: _id, tenantId: _tenantId, secrets: _s, certificates: _c, ...current } = existing;
      const fields = changedFields(next, current);
      if (fields.length) await applications.update(existing.id, next);
      record(fields.length ? 'updated' : 'unchanged', name, fields);
    }
    await applySecrets(step, record, app, applicationId, existing);
    await applyCertificates(step, record, app, applicationId, existing);
  }
}

function toApplicationInput(app: ApplicationConfig, existing: ApplicationWithCredentials | undefined): ApplicationInput {
  return {
    clientId: app.clientId,
    name: app.name ?? existing?.name ?? app.clientId,
    type: app.type,
    redirectUris: app.redirectUris ?? existing?.redirectUris ?? [],
    postLogoutRedirectUris: app.postLogoutRedirectUris ?? existing?.postLogoutRedirectUris ?? [],
    permissions: app.permissions ?? existing?.permissions ?? [],
    appRoles: app.appRoles ?? existing?.appRoles ?? [],
    idTokenSigningAlg: app.idTokenSigningAlg ?? existing?.idTokenSigningAlg ?? 'ES256',
    backchannelLogoutUri: app.backchannelLogoutUri ?? existing?.backchannelLogoutUri ?? null,
    // Left out: kept; null (or `{}`): the tenant's policy again.
    mfa: app.mfa === undefined ? existing?.mfa ?? null : app.mfa,
  };
}

async function applySecrets(
  { trx, tenant }: TenantStep, record: RecordChange, app: ApplicationConfig, applicationId: string,
  existing: ApplicationWithCredentials | undefined,
): Promise<void> {
  const stored = new Set(existing?.secrets.map((secret) => secret.hash));
  for (const secret of app.secrets ?? []) {
    const hash = hashClientSecret(secret.value);
    const name = `secret ${secretHint(secret.value)} of ${app.clientId} (${tenant.id})`;
    if (stored.has(hash)) {
      record('unchanged', name);
      continue;
    }
    await createApplicationRepository(trx).insertSecret(applicationId, {
      hash, hint: secretHint(secret.value), description: secret.description ?? null,
      expiresAt: secret.expiresAt === undefined ? null : new Date(secret.expiresAt),
    });
    stored.add(hash);
    record('created', name);
  }
}

async function applyCertificates(
  { trx, tenant }: TenantStep, record: RecordChange, app: ApplicationConfig, applicationId: string,
  existing: ApplicationWithCredentials | undefined,
): Promise<void> {
  const stored = new Set(existing?.certificates.map((certificate) => certificate.thumbprintSha256));
  for (const certificate of app.certificates ?? []) {
    const read = await readCertificate(certificate);
    const name = `certificate ${read.thumbprintSha256.slice(0, 12)}… of ${app.clientId} (${tenant.id})`;
    if (stored.has(read.thumbprintSha256)) {
      record('unchanged', name);
      continue;
    }
    await createApplicationRepository(trx).insertCertificate(applicationId, read);
    stored.add(read.thumbprintSha256);
    record('created', name);
  }
}

function readCertificate(certificate: CertificateConfig): Promise<ClientCertificate> {
  return 'pem' in certificate ? Promise.resolve(readCertificatePem(certificate.pem)) : readPublicJwk(certificate.jwk as JWK);
}

async function applyUsers({ trx, passwords, tenant }: TenantStep, record: RecordChange): Promise<void> {
  const users = createUserRepository(trx);
  for (const user of tenant.users) {
    const login = user.username ?? user.email ?? '';
    const existing = await users.findByLogin(tenant.id, login);
    const name = `user ${login} (${tenant.id})`;
    if (!existing) {
      await users.insert(tenant.id, {
        username: user.username ?? null,
        email: user.email ?? null,
        emailVerified: user.emailVerified ?? false,
        name: user.name ?? null,
        passwordHash: user.passwordHash ?? (user.password === undefined ? null : await passwords.hash(user.password)),
        roles: user.roles ?? [],
      });
      record('created', name);
      continue;
    }
    const patch = await userPatch(user, existing, passwords);
    const fields = Object.keys(patch);
    if (fields.length) await users.update(existing.id, patch);
    record(fields.length ? 'updated' : 'unchanged', name, fields);
  }
}

/** The fields given in the file that differ from the stored user; a password is re-hashed only when it no longer verifies. */
async function userPatch(user: UserConfig, existing: User, passwords: PasswordContext): Promise<Partial<UserInput>> {
  const patch: Partial<UserInput> = {};
  if (user.username !== undefined && user.username !== existing.username) patch.username = user.username;
  if (user.email !== undefined && user.email !== existing.email) patch.email = user.email;
  if (user.emailVerified !== undefined && user.emailVerified !== existing.emailVerified) patch.emailVerified = user.emailVerified;
  if (user.name !== undefined && user.name !== existing.name) patch.name = user.name;
  if (user.roles !== undefined && !isDeepStrictEqual(user.roles, existing.roles)) patch.roles = user.roles;
  if (user.passwordHash !== undefined && user.passwordHash !== existing.passwordHash) patch.passwordHash = user.passwordHash;
  if (user.password !== undefined) {
    const same = existing.passwordHash !== null && await passwords.verify(user.password, existing.passwordHash);
    if (!same) patch.passwordHash = await passwords.hash(user.password);
  }
  return patch;
}

function changedFields<T extends object>(next: T, current: T): string[] {
  return (Object.keys(next) as (keyof T & string)[]).filter((key) => !isDeepStrictEqual(next[key], current[key]));
}
