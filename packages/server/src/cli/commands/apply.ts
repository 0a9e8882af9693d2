import type { Command } from 'commander';
import { applyConfig } from '../../config/apply-config.js';
import { loadConfigFile } from '../../config/load-config-file.js';
import { withServices } from '../cli-context.js';
import { printApplySummary } from '../print-summary.js';

export function registerApplyCommand(program: Command): void {
  program.command('apply')
    .description('apply a declarative configuration file: creates and updates, never deletes; idempotent')
    .argument('<file>', 'YAML configuration file (reference: docs/configuration.md)')
    .option('--dry-run', 'validate against the database and show what would change, then roll back')
    .addHelpText('after', `
Everything in the file is applied in one transaction: all of it or nothing. Tenants, APIs,
applications, secrets and users that are not in the file are left alone.

Examples:
  $ tessera apply tessera.yaml --dry-run
  $ tessera apply tessera.yaml`)
    .action(async (file: string, options: { dryRun?: boolean }) => {
      // Validate before opening the database, so a broken file needs no database at all.
      const config = await loadConfigFile(file);
      const dryRun = options.dryRun === true;
      const summary = await withServices((services) => applyConfig(services, config, { actor: 'cli', dryRun, fileName: file }));
      printApplySummary(summary, { dryRun });
    });
}
