import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSettings } from '../../src/config/settings.js';
import { createServices, type Services } from '../../src/server/services.js';
import { createFreshTestDatabase, dropTestPostgresDatabase } from './test-database.js';

export interface TestServices {
  services: Services;
  /** Closes the services and deletes the data directory and, in the postgres project, the database. */
  dispose(): Promise<void>;
}

/**
 * The server's services without a server, on a fresh database of this project's kind (a temporary
 * data directory for the embedded one, a new database on TESSERA_TEST_DATABASE_URL for PostgreSQL).
 *
 * @example
 * let t: TestServices;
 * beforeAll(async () => { t = await openTestServices('apply'); });
 * afterAll(() => t?.dispose());
 */
export async function openTestServices(name: string): Promise<TestServices> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `tessera-${name}-`));
  const database = await createFreshTestDatabase(dataDir);
  const services = await createServices(readSettings({
    TESSERA_DATA_DIR: dataDir,
    TESSERA_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...(database ? { DATABASE_URL: database.url } : {}),
  }));
  return {
    services,
    async dispose() {
      await services.close();
      if (database) await dropTestPostgresDatabase(database.name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
