import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { applyConfig } from '../../config/apply-config.js';
import type { DeclarativeConfig } from '../../config/declarative-config.js';
import { loadConfigFile } from '../../config/load-config-file.js';
import { settingsWarnings, type Settings } from '../../config/settings.js';
import { mailWarnings } from '../../mail/mailer.js';
import { readSmsEnv, smsWarnings } from '../../sms/sms-sender.js';
import { createServices, type Services } from '../../server/services.js';
import { findFreePort } from '../../server/free-port.js';
import { lockDataDir, readCliSettings } from '../cli-context.js';
import { printLine, printNote } from '../output.js';
import { printApplySummary } from '../print-summary.js';
import { ensureBootstrapCredential, type BootstrapResult } from '../../management/bootstrap.js';

/** The bundled demo configuration, used by `start --demo` when no file is given. */
export const DEMO_CONFIG_FILE = fileURLToPath(new URL('../../../demo/tessera.yaml', import.meta.url));
const SHUTDOWN_TIMEOUT_MS = 15_000;

interface StartOptions { config?: string; port?: number; demo?: boolean }

export function registerStartCommand(program: Command): void {
  program.command('start')
    .description('start the server; with a configuration file, apply it first')
    .option('--config <file>', 'declarative configuration to apply at start (or TESSERA_CONFIG)')
    .option('--port <port>', 'port to listen on (or PORT; default 4000)', parsePort)
    .option('--demo', 'print demo credentials and a ready-to-paste token request (uses demo/tessera.yaml when no --config)')
    .addHelpText('after', `
Settings come from the environment (docs/configuration.md): HOST, TESSERA_PUBLIC_URL,
TESSERA_DATA_DIR, DATABASE_URL, TESSERA_MASTER_KEY and more. Without DATABASE_URL the embedded
database in TESSERA_DATA_DIR is used, and only one process may open it at a time.

Examples:
  $ tessera start --demo
  $ tessera start --config tessera.yaml --port 8080
  $ DATABASE_URL=postgres://tessera@db/tessera TESSERA_PUBLIC_URL=https://id.example.com tessera start`)
    .action(async (options: StartOptions) => {
      await startServer(options);
    });
}

/**
 * The settings, with port 0 (`--port 0`, PORT=0) replaced by a port that is free now, before
 * anything uses it: the default public URL, and so every issuer and link, names the real port.
 */
async function readStartSettings(port: number | undefined): Promise<Settings> {
  const settings = readCliSettings(port === undefined ? {} : { port });
  if (settings.port !== 0) return settings;
  return readCliSettings({ port: await findFreePort(settings.host) });
}

async function startServer(options: StartOptions): Promise<void> {
  const settings = await readStartSettings(options.port);
  const configFile = options.config ?? settings.configFile ?? (options.demo ? DEMO_CONFIG_FILE : undefined);
  // A broken file stops the start before anything is opened.
  const config = configFile ? await loadConfigFile(configFile) : undefined;
  const lock = lockDataDir(settings, 'server');
  let services: Services | undefined;
  try {
    services = await createServices(settings);
    if (config && configFile) {
      printLine(`Applying ${configFile}`);
      printApplySummary(await applyConfig(services, config, { actor: 'config', fileName: configFile }));
    }
    const bootstrap = await ensureBootstrapCredential(services);
    const { startHttpServer } = await import('../../server/start-server.js');
    const server = await startHttpServer(services);
    const running = services;
    // The handler is in place before the ready line, so a signal right after it shuts down cleanly.
    onShutdownSignal(async () => {
      await server.close();
      await running.close();
      lock?.release();
    });
    const tenants = await services.tenants.list();
    // Before the ready line, so whoever waits for it (a supervisor, the tests) has them too.
    for (const warning of [...settingsWarnings(settings, services.masterKey.source), ...mailWarnings(settings), ...smsWarnings(readSmsEnv())]) printNote(`warning: ${warning}`);
    printLine(`Tessera is listening on ${server.url}`);
    for (const tenant of tenants) printLine(`  issuer ${settings.publicUrl}/${tenant.id}`);
    if (bootstrap.newSecret) printBootstrapCredential(settings, bootstrap);
    if (options.demo) printDemoHelp(settings, config);
  } catch (error) {
    await services?.close().catch(() => {});
    lock?.release();
    throw error;
  }
}

/** SIGINT/SIGTERM: stop accepting requests, let the server finish, close the database; a second signal forces the exit. */
function onShutdownSignal(shutdown: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      printNote(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    printNote(`${signal}: shutting down`);
    const timer = setTimeout(() => {
      printNote(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000}s; exiting`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    shutdown().then(() => process.exit(0), (error: unknown) => {
      printNote(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** The generated management credential: printed this once (it is stored only as a hash). */
function printBootstrapCredential(settings: Settings, bootstrap: BootstrapResult): void {
  printLine('');
  printLine(`Management API credential, shown only this once (store it now; docs/management-api.md):`);
  printLine(`  client ${bootstrap.clientId} in tenant "${bootstrap.adminTenant}", secret ${bootstrap.newSecret}`);
  printLine(`    curl -s -u ${bootstrap.clientId}:SECRET -d grant_type=client_credentials -d scope=tessera:management/.default ${settings.publicUrl}/${bootstrap.adminTenant}/token`);
  printLine('');
}

/** The demo user's sign-in and a client-credentials request, taken from the applied configuration. */
function printDemoHelp(settings: Settings, config: DeclarativeConfig | undefined): void {
  const demo = config?.tenants.find((tenant) => tenant.id === 'demo') ?? config?.tenants[0];
  if (!demo) return;
  const issuer = `${settings.publicUrl}/${demo.id}`;
  printLine('');
  printLine(`Demo tenant "${demo.id}" (development only; these credentials are public):`);
  printLine(`  discovery  ${issuer}/.well-known/openid-configuration`);
  const user = demo.users.find((candidate) => candidate.password !== undefined);
  if (user) printLine(`  user       ${user.username ?? user.email} / ${user.password}`);
  const daemon = demo.applications.find((app) => app.type === 'daemon' && app.secrets?.length && app.appRoles?.length);
  const secret = daemon?.secrets?.[0]?.value;
  const api = daemon?.appRoles?.[0]?.api;
  if (daemon && secret && api) {
    printLine('  token for a daemon (client credentials):');
    printLine(`    curl -s -u ${daemon.clientId}:${secret} -d grant_type=client_credentials -d scope=${api}/.default ${issuer}/token`);
  }
  printLine('');
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return port;
}
