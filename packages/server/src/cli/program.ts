import { Command } from 'commander';
import { registerApplyCommand } from './commands/apply.js';
import { registerAppsCommand } from './commands/apps.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerStartCommand } from './commands/start.js';
import { registerTenantsCommand } from './commands/tenants.js';
import { registerUsersCommand } from './commands/users.js';
import { registerMailCommand } from './commands/mail.js';
import { registerSecretsCommand } from './commands/secrets.js';
import { registerResourceCommands } from './commands/resources.js';

/** The `tessera` command tree. Commander throws instead of exiting, so main.ts owns exit codes. */
export function createProgram(): Command {
  const program = new Command('tessera')
    .description('Tessera: a self-hostable OpenID Connect provider and OAuth 2.0 authorization server')
    .version('0.1.0', '-v, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText('after', `
Every setting also comes from the environment: PORT, HOST, TESSERA_PUBLIC_URL, TESSERA_DATA_DIR,
DATABASE_URL, TESSERA_CONFIG, TESSERA_MASTER_KEY, ... (docs/configuration.md). Set TESSERA_DEBUG=1
to see stack traces.

Examples:
  $ tessera start --demo
  $ tessera apply tessera.yaml --dry-run
  $ tessera apps add-secret --tenant demo weather-daemon
  $ tessera <command> --help`);
  for (const register of [
    registerStartCommand, registerMigrateCommand, registerApplyCommand, registerKeysCommand,
    registerTenantsCommand, registerUsersCommand, registerAppsCommand, registerMailCommand, registerSecretsCommand,
  ]) register(program);
  registerResourceCommands(program); // last: it adds verbs to the groups registered above
  return program;
}
