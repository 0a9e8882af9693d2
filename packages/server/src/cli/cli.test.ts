import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgresDatabase, dropTestPostgresDatabase, testDatabaseKind } from '../../test/support/test-database.js';
import { runCli, type CliResult } from '../../test/support/server-process.js';
import { readSettings } from '../config/settings.js';
import { lockFileOf } from '../db/data-dir-lock.js';
import { matchesClientSecret } from '../security/client-secrets.js';
import { createServices } from '../server/services.js';

const DEMO = fileURLToPath(new URL('../../demo/tessera.yaml', import.meta.url));
const embedded = testDatabaseKind() === 'embedded';

let root: string;
let env: NodeJS.ProcessEnv;
let database: { name: string; url: string } | undefined;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'tessera-cli-'));
  database = embedded ? undefined : await createTestPostgresDatabase();
  const inherited = Object.fromEntries(Object.entries(process.env)
    .filter(([key]) => !key.startsWith('TESSERA_') && !['DATABASE_URL', 'PORT', 'HOST'].includes(key)));
  env = {
    ...inherited,
    TESSERA_DATA_DIR: path.join(root, 'data'),
    TESSERA_MASTER_KEY: Buffer.alloc(32, 3).toString('base64'),
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
});

afterAll(async () => {
  if (database) await dropTestPostgresDatabase(database.name);
  rmSync(root, { recursive: true, force: true });
});

/** Runs the real `tessera` binary with this file's settings. */
function tessera(args: string[], options: { input?: string } = {}): Promise<CliResult> {
  return runCli(args, { cwd: root, env, ...(options.input === undefined ? {} : { stdin: options.input }) });
}

async function withServices<T>(run: (services: Awaited<ReturnType<typeof createServices>>) => Promise<T>): Promise<T> {
  const services = await createServices(readSettings(env));
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}

describe('tessera --help', () => {
  it('describes every command and shows examples', async () => {
    const help = await tessera(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'migrate', 'apply', 'keys', 'tenants', 'users', 'apps', 'mail']) expect(help.stdout).toMatch(new RegExp(`\\n  ${command}\\b.* \\w`));
    const sub = await Promise.all([['apply'], ['keys', 'rotate'], ['users', 'create'], ['apps', 'add-secret'], ['start']]
      .map((command) => tessera([...command, '--help'])));
    for (const run of sub) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Examples?:\n {2}\$ tessera /);
    }
  });

  it('exits 2 on a usage error, without a stack trace', async () => {
    const run = await tessera(['apps', 'create', '--tenant', 'demo', '--client-id', 'x1', '--type', 'desktop']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: option '--type <type>' argument 'desktop' is invalid");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('tessera commands', () => {
  it('migrates, applies (dry run first) and is idempotent', async () => {
    expect((await tessera(['migrate'])).code).toBe(0);
    const dry = await tessera(['apply', DEMO, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was written.');
    expect((await tessera(['tenants', 'list'])).stdout).toBe('(none)\n');
    const applied = await tessera(['apply', DEMO]);
    expect(applied.stdout).toContain('+ application weather-daemon (demo)');
    const again = await tessera(['apply', DEMO]);
    expect(again.stdout).toContain('Configuration is up to date');
  });

  it('lists every problem of an invalid file and exits 1', async () => {
    const file = path.join(root, 'broken.yaml');
    writeFileSync(file, 'tenants:\n  - id: Bad!\n    applications:\n      - { clientId: x, type: spa, redirectUris: [http://evil.test/cb] }\n');
    const run = await tessera(['apply', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: tenants[0].id:`);
    expect(run.stderr).toContain(`${file}: tenants[0].applications[0].clientId:`);
    expect(run.stderr).toContain(`${file}: tenants[0].applications[0].redirectUris[0]:`);
  });

  it('creates a tenant, an application and a secret shown once', async () => {
    expect((await tessera(['tenants', 'create', 'acme', '--name', 'Acme'])).code).toBe(0);
    expect((await tessera(['tenants', 'create', 'acme'])).stderr).toBe('tessera: tenant "acme" already exists\n');
    const refused = await tessera(['apps', 'create', '--tenant', 'acme', '--client-id', 'web', '--type', 'web', '--redirect-uri', 'http://web.test/cb']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--redirect-uri http://web.test/cb: http:// is allowed only on localhost');
    const created = await tessera(['apps', 'create', '--tenant', 'acme', '--client-id', 'web', '--type', 'web', '--redirect-uri', 'https://web.test/cb']);
    expect(created.code).toBe(0);
    const secret = await tessera(['apps', 'add-secret', '--tenant', 'acme', 'web', '--description', 'ci']);
    expect(secret.code).toBe(0);
    expect(secret.stdout).toMatch(/^tsr_[\w-]{43}\n$/);
    expect(secret.stderr).toContain('will not be shown again');
    expect((await tessera(['apps', 'list', '--tenant', 'acme'])).stdout).toMatch(/web\s+web\s+web\s+https:\/\/web\.test\/cb/);
    await withServices(async (services) => {
      const app = await services.applications.findByClientId('acme', 'web');
      expect(app?.secrets).toHaveLength(1);
      expect(matchesClientSecret(secret.stdout.trim(), app?.secrets[0]?.hash ?? '')).toBe(true);
      const events = await services.db.selectFrom('audit_events').select(['type', 'actor']).where('tenant_id', '=', 'acme').execute();
      expect(events).toEqual(expect.arrayContaining([
        { type: 'tenant.created', actor: expect.stringMatching(/^cli:/) }, { type: 'application.created', actor: 'cli' }, { type: 'application.secret_added', actor: 'cli' },
      ]));
      // Created (1), its creation (2, as every management change of what providers cache), the new app (3).
      expect((await services.tenants.find('acme'))?.revision).toBe(3);
    });
  });

  it('creates users and sets passwords from stdin only', async () => {
    const created = await tessera(['users', 'create', '--tenant', 'acme', '--username', 'bob', '--email', 'bob@acme.test', '--password-stdin'], { input: 'first password\n' });
    expect(created.code).toBe(0);
    const changed = await tessera(['users', 'set-password', '--tenant', 'acme', 'BOB@acme.test', '--password-stdin'], { input: 'second password\n' });
    expect(changed.code).toBe(0);
    const noTerminal = await tessera(['users', 'set-password', '--tenant', 'acme', 'bob']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--password-stdin');
    expect((await tessera(['users', 'set-password', '--tenant', 'acme', 'bob', '--password', 'x'])).code).toBe(2);
    expect((await tessera(['users', 'list', '--tenant', 'acme'])).stdout).toMatch(/bob\s+bob@acme\.test\s+no\s+-\s+yes/);
    await withServices(async (services) => {
      const bob = await services.users.findByLogin('acme', 'bob');
      expect(await services.passwords.verify('second password', bob?.passwordHash ?? '')).toBe(true);
    });
  });

  it('lists and rotates keys', async () => {
    const rotated = await tessera(['keys', 'rotate', '--tenant', 'acme', '--activate-after', '60']);
    expect(rotated.code).toBe(0);
    const list = await tessera(['keys', 'list', '--tenant', 'acme']);
    expect(list.stdout.match(/\bpending\b/g)).toHaveLength(2);
    expect(list.stdout.match(/\bactive\b/g)).toHaveLength(2);
    expect((await tessera(['keys', 'rotate', '--tenant', 'nobody'])).stderr).toBe('tessera: no tenant "nobody" (`tessera tenants list` shows them)\n');
  });

  it.skipIf(!embedded)('refuses to open the embedded database while a server holds it', async () => {
    writeFileSync(lockFileOf(env.TESSERA_DATA_DIR ?? ''), `${process.pid}\nserver\n`);
    try {
      const run = await tessera(['tenants', 'create', 'blocked']);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`tessera: the server (pid ${process.pid}) is using DATA_DIR (${env.TESSERA_DATA_DIR}); stop it first, or use DATABASE_URL\n`);
    } finally {
      rmSync(lockFileOf(env.TESSERA_DATA_DIR ?? ''));
    }
  });
});
