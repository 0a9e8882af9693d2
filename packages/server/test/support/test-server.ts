import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { findFreePort } from '../../src/server/free-port.js';
import { runCli, spawnServer, type CliResult, type ServerExit, type ServerProcess } from './server-process.js';
import {
  createFreshTestDatabase,
  dropTestPostgresDatabase,
  openTestDatabase,
  testDatabaseKind,
  type TestDatabaseKind,
} from './test-database.js';

export interface StartTestServerOptions {
  /** The declarative configuration, YAML text (written to `tessera.yaml` beside the data directory). */
  config: string;
  /** Extra environment for the server, e.g. `{ TESSERA_KEY_ACTIVATION_DELAY: '0' }`. */
  env?: Record<string, string>;
  /** How long to wait for "Tessera is listening on …"; default 30 s. */
  startTimeoutMs?: number;
}

export interface TestServer {
  /** Base URL, `http://127.0.0.1:PORT` (also TESSERA_PUBLIC_URL). */
  readonly url: string;
  readonly port: number;
  /** Issuer of a tenant: `${url}/${tenant}`. */
  issuer(tenant: string): string;
  readonly databaseKind: TestDatabaseKind;
  /** TESSERA_DATA_DIR; the embedded database lives in `${dataDir}/pg`. */
  readonly dataDir: string;
  /** DATABASE_URL of this server's own database (postgres project only). */
  readonly databaseUrl: string | undefined;
  readonly configFile: string;
  /** True from a successful start until the process exits. */
  isRunning(): boolean;
  /**
   * Kysely on the server's database for assertions. Embedded (PGlite) is single-process, so
   * this throws while the server runs: `stop()` or `kill()` it first. The handle is closed by
   * `restart()` and `dispose()`.
   */
  db(): Kysely<Database>;
  /**
   * Runs a `tessera` CLI command with this server's settings (data directory or database,
   * master key). With the embedded database, stop the server first: it holds the data directory.
   */
  cli(args: string[], stdin?: string): Promise<CliResult>;
  /** Graceful stop: SIGTERM, then wait for exit (SIGKILL and an error after 20 s). */
  stop(): Promise<ServerExit>;
  /** Sends a signal (SIGKILL by default) and waits for exit. */
  kill(signal?: NodeJS.Signals): Promise<ServerExit>;
  /** Starts again on the same data, database, master key and port (stops gracefully first if running). */
  restart(): Promise<void>;
  /** Everything the server printed on stdout and stderr, across restarts, with harness markers. */
  output(): string;
  /**
   * Stops the server and deletes its data directory and database. Call it in `afterAll`.
   * With TESSERA_TEST_KEEP=1 both are kept and their location printed, for debugging.
   */
  dispose(): Promise<void>;
}

const STOP_TIMEOUT_MS = 20_000;

/** Where one test server keeps its files and data, for its whole life (restarts included). */
interface Workspace {
  kind: TestDatabaseKind;
  root: string;
  dataDir: string;
  configFile: string;
  database: { name: string; url: string } | undefined;
  masterKey: string;
}

async function prepareWorkspace(config: string): Promise<Workspace> {
  const kind = testDatabaseKind();
  const root = await mkdtemp(path.join(tmpdir(), 'tessera-test-'));
  const configFile = path.join(root, 'tessera.yaml');
  await writeFile(configFile, config);
  const dataDir = path.join(root, 'data');
  const database = await createFreshTestDatabase(dataDir);
  return { kind, root, dataDir, configFile, database, masterKey: randomBytes(32).toString('base64') };
}

async function removeWorkspace(workspace: Workspace): Promise<void> {
  const { root, database } = workspace;
  if (process.env.TESSERA_TEST_KEEP === '1') {
    console.info(`[harness] kept ${root}${database ? ` and database ${database.name}` : ''} (TESSERA_TEST_KEEP=1)`);
    return;
  }
  await rm(root, { recursive: true, force: true });
  if (database) await dropTestPostgresDatabase(database.name);
}

/** The test process's environment without settings that would point the server elsewhere, plus the server's own. */
function serverEnv(workspace: Workspace, port: number, extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('TESSERA_') || key === 'DATABASE_URL' || key === 'PORT' || key === 'HOST') delete env[key];
  }
  return {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TESSERA_DATA_DIR: workspace.dataDir,
    TESSERA_MASTER_KEY: workspace.masterKey,
    ...(workspace.database ? { DATABASE_URL: workspace.database.url } : {}),
    ...extra,
  };
}

/** Waits for the exit; after STOP_TIMEOUT_MS kills the process group and throws. */
async function waitForExit(proc: ServerProcess, output: () => string): Promise<ServerExit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS); });
  const result = await Promise.race([proc.exited, timeout]);
  clearTimeout(timer);
  if (result !== 'timeout') return result;
  proc.signal('SIGKILL');
  await proc.exited;
  throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms; killed it.\n${output()}`);
}

/**
 * Starts a real Tessera server through its CLI on a free port, with a fresh data directory and,
 * in the `postgres` project, a fresh database. A random TESSERA_MASTER_KEY is fixed for the
 * server's life, so restarts decrypt the signing keys they made.
 *
 * @example
 * const server = await startTestServer({ config: DEMO_CONFIG });
 * afterAll(() => server.dispose());
 * const res = await fetch(`${server.issuer('demo')}/.well-known/openid-configuration`);
 */
export async function startTestServer(options: StartTestServerOptions): Promise<TestServer> {
  const workspace = await prepareWorkspace(options.config);
  const { kind, dataDir, database } = workspace;
  const chunks: string[] = [];
  const output = () => chunks.join('');
  let port = 0;
  let current: ServerProcess | undefined;
  let handle: Kysely<Database> | undefined;

  const launch = async () => {
    chunks.push(`[harness] starting server on http://127.0.0.1:${port} (${kind})\n`);
    current = spawnServer({
      configFile: workspace.configFile,
      cwd: workspace.root,
      env: serverEnv(workspace, port, options.env),
      log: (text) => { chunks.push(text); },
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
    });
    await current.ready;
  };
  const closeHandle = async () => {
    const open = handle;
    handle = undefined;
    await open?.destroy();
  };
  const started = (): ServerProcess => {
    if (!current) throw new Error('server was never started');
    return current;
  };
  const running = () => current !== undefined && !current.hasExited();

  const server: TestServer = {
    get url() { return `http://127.0.0.1:${port}`; },
    get port() { return port; },
    issuer: (tenant) => `http://127.0.0.1:${port}/${tenant}`,
    databaseKind: kind,
    dataDir,
    databaseUrl: database?.url,
    configFile: workspace.configFile,
    isRunning: running,
    cli: (args, stdin) => runCli(args, { cwd: workspace.root, env: serverEnv(workspace, port, options.env), ...(stdin === undefined ? {} : { stdin }) }),
    db() {
      if (kind === 'embedded' && running()) {
        throw new Error('the embedded database (PGlite) is single-process: stop() or kill() the server before db()');
      }
      handle ??= openTestDatabase({ kind, dataDir, databaseUrl: database?.url });
      return handle;
    },
    async stop() {
      started().signal('SIGTERM');
      return waitForExit(started(), output);
    },
    async kill(signal = 'SIGKILL') {
      started().signal(signal);
      return waitForExit(started(), output);
    },
    async restart() {
      if (running()) await server.stop();
      if (kind === 'embedded') await closeHandle();
      await launch();
    },
    output,
    async dispose() {
      if (running()) await server.stop().catch(() => server.kill('SIGKILL'));
      await closeHandle();
      await removeWorkspace(workspace);
    },
  };

  try {
    // A free port a moment ago may be taken by now (EADDRINUSE): pick another, twice at most.
    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      const mark = chunks.length;
      try {
        await launch();
        break;
      } catch (error) {
        await current?.exited;
        if (!/EADDRINUSE/.test(chunks.slice(mark).join('')) || attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await server.dispose().catch(() => {});
    throw new Error(`${(error as Error).message}\n--- server output ---\n${output()}`, { cause: error });
  }
  return server;
}
