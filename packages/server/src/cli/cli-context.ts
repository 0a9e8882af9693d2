import { readSettings, type Settings } from '../config/settings.js';
import { acquireDataDirLock, type DataDirLock } from '../db/data-dir-lock.js';
import type { Db } from '../db/database.js';
import { createTenantRepository, type Tenant } from '../db/repositories/tenants.js';
import { createServices, type Services } from '../server/services.js';
import { CliError } from './cli-error.js';

/** The settings of a CLI run: every one comes from the environment (docs/configuration.md). */
export function readCliSettings(overrides: Partial<Settings> = {}): Settings {
  try {
    return readSettings(process.env, overrides);
  } catch (error) {
    throw new CliError((error as Error).message.replace(/^settings\.invalid: /, 'invalid environment: '));
  }
}

/**
 * Takes the data directory when the database is the embedded one (a single-process database,
 * see data-dir-lock.ts); with DATABASE_URL there is nothing to take.
 */
export function lockDataDir(settings: Settings, role: 'server' | 'cli'): DataDirLock | undefined {
  return settings.databaseUrl ? undefined : acquireDataDirLock(settings.dataDir, role);
}

/** Opens the services for one command and closes them (and the data directory) afterwards. */
export async function withServices<T>(run: (services: Services) => Promise<T>): Promise<T> {
  const settings = readCliSettings();
  const lock = lockDataDir(settings, 'cli');
  try {
    const services = await createServices(settings);
    try {
      return await run(services);
    } finally {
      await services.close();
    }
  } finally {
    lock?.release();
  }
}

/** The tenant, or a CliError that says how to find the right id. */
export async function requireTenant(db: Db, tenantId: string): Promise<Tenant> {
  const tenant = await createTenantRepository(db).find(tenantId);
  if (!tenant) throw new CliError(`no tenant "${tenantId}" (\`tessera tenants list\` shows them)`);
  return tenant;
}
