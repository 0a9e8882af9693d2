import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { createApiRepository } from '../db/repositories/apis.js';
import { createApplicationRepository } from '../db/repositories/applications.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { createUserRepository } from '../db/repositories/users.js';
import { createSigningKeys } from '../keys/signing-keys.js';
import { loadMasterKey, type MasterKey } from '../security/master-key.js';
import { createPasswordContext } from '@tessera/passwords';
import { createLimiterStore } from '../security/rate-limits/index.js';
import type { Settings } from '../config/settings.js';

/** Everything the server and the CLI share, wired once from the settings. */
export async function createServices(settings: Settings) {
  const database: DatabaseHandle = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const masterKey: MasterKey = loadMasterKey({ env: settings.masterKey, dataDir: settings.dataDir });
  const { db } = database;
  const passwords = createPasswordContext({ argon2: settings.argon2 });
  // One store of brute-force and abuse counters per server: the database, or Redis when REDIS_URL is set.
  const limiterStore = createLimiterStore({ db, redisUrl: settings.redisUrl });
  return {
    settings,
    database,
    db,
    masterKey,
    tenants: createTenantRepository(db),
    apis: createApiRepository(db),
    applications: createApplicationRepository(db),
    users: createUserRepository(db),
    signingKeys: createSigningKeys({ db, masterKey: masterKey.key }),
    /** argon2id for new hashes; verifies and upgrades imported legacy hashes (@tessera/passwords). */
    passwords,
    limiterStore,
    async close() {
      await limiterStore.close();
      await database.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
