import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, testDatabaseKind, type TestServer } from './support/index.js';
import { protocolConfig } from './support/fixtures.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
});
afterAll(() => server?.dispose());

const status = async (path: string) => (await fetch(`${server.url}${path}`)).status;

describe('health and readiness', () => {
  it('answers /healthz and /readyz while the database is reachable', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await status('/readyz')).toBe(200);
  });

  // Only a database server can become unreachable; the embedded one lives in the process.
  it.skipIf(testDatabaseKind() !== 'postgres')(
    'reports 503 on /readyz while PostgreSQL refuses connections, and recovers', async () => {
      const name = new URL(server.databaseUrl!).pathname.slice(1);
      const admin = new pg.Client({ connectionString: process.env.TESSERA_TEST_DATABASE_URL });
      await admin.connect();
      try {
        await admin.query(`alter database "${name}" allow_connections false`);
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
        await expect.poll(() => status('/readyz'), { timeout: 10_000, interval: 200 }).toBe(503);
        expect(await status('/healthz')).toBe(200);
      } finally {
        await admin.query(`alter database "${name}" allow_connections true`);
        await admin.end();
      }
      await expect.poll(() => status('/readyz'), { timeout: 10_000, interval: 200 }).toBe(200);
    });
});
