import { Command, InvalidArgumentError } from 'commander';
import { requireTenant, withServices } from '../cli-context.js';
import { formatDate, printLine, printTable } from '../output.js';

export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('list and rotate the signing keys of tenants');

  keys.command('list')
    .description('list the signing keys in use: pending (published, not yet signing), active, retired')
    .option('--tenant <id>', 'only this tenant (default: every tenant)')
    .addHelpText('after', `
Examples:
  $ tessera keys list
  $ tessera keys list --tenant demo`)
    .action(async (options: { tenant?: string }) => {
      await withServices(async (services) => {
        const tenants = options.tenant ? [await requireTenant(services.db, options.tenant)] : await services.tenants.list();
        const rows = [];
        for (const tenant of tenants) {
          for (const key of await services.signingKeys.list(tenant.id)) {
            rows.push([tenant.id, key.kid, key.alg, key.state, formatDate(key.activatesAt), formatDate(key.retiresAt), formatDate(key.expiresAt)]);
          }
        }
        printTable(['TENANT', 'KID', 'ALG', 'STATE', 'SIGNS FROM', 'RETIRES', 'LEAVES JWKS'], rows);
      });
    });

  keys.command('rotate')
    .description('publish new ES256 and RS256 keys now and sign with them after a delay; old keys stay published until their tokens expire')
    .requiredOption('--tenant <id>', 'tenant whose keys to rotate')
    .option('--activate-after <seconds>', 'seconds between publishing and signing (default: TESSERA_KEY_ACTIVATION_DELAY, 3600)', parseSeconds)
    .addHelpText('after', `
Relying parties cache the JWKS; the delay gives them time to fetch the new keys before tokens
signed with them appear. Use --activate-after 0 only when a key is compromised.

Examples:
  $ tessera keys rotate --tenant demo
  $ tessera keys rotate --tenant demo --activate-after 0`)
    .action(async (options: { tenant: string; activateAfter?: number }) => {
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        const activationDelaySeconds = options.activateAfter ?? services.settings.keyActivationDelaySeconds;
        const result = await services.signingKeys.rotate(options.tenant, { activationDelaySeconds, actor: 'cli' });
        printLine(`New keys for ${options.tenant}: ${result.created.join(', ')}`);
        printLine(`They sign from ${formatDate(result.activatesAt)}; the previous keys leave the JWKS at ${formatDate(result.expiresAt)}.`);
      });
    });
}

function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of seconds');
  return Number(value);
}
