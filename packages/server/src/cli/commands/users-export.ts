import { chmod, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, formatExport, toExportRow, type ExportFormat } from '../../identity/import/index.js';
import { requireTenant, withServices } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { printNote } from '../output.js';

interface ExportCliOptions { tenant: string; format?: ExportFormat; includePasswordHashes?: boolean; output?: string }

export function registerUserExportCommand(users: Command): void {
  users.command('export')
    .description('export the users of a tenant in the import format (password hashes only when asked)')
    .requiredOption('--tenant <id>', 'tenant to export')
    .addOption(new Option('--format <format>', 'jsonl, or csv (default: csv for an --output ending in .csv, else jsonl)').choices(EXPORT_FORMATS))
    .option('--include-password-hashes', 'include password hashes: treat the file as a secret')
    .option('--output <file>', 'write to this file (created readable by its owner only) instead of standard output')
    .addHelpText('after', `
The export re-imports as it is (\`tessera users import\`), into this tenant or another one.
Password hashes can be cracked offline: they are left out unless --include-password-hashes
is given, and then a warning is printed.

Examples:
  $ tessera users export --tenant demo --output users.jsonl
  $ tessera users export --tenant demo --format csv --include-password-hashes --output users.csv`)
    .action(runExport);
}

async function runExport(options: ExportCliOptions): Promise<void> {
  const format = options.format ?? (options.output && /\.csv$/i.test(options.output) ? 'csv' : 'jsonl');
  const includePasswordHashes = options.includePasswordHashes === true;
  const text = await withServices(async (services) => {
    await requireTenant(services.db, options.tenant);
    const users = await services.users.list(options.tenant);
    return formatExport(users.map((user) => toExportRow(user, { includePasswordHashes })), format, { includePasswordHashes });
  });
  if (includePasswordHashes) {
    printNote('Warning: the export contains password hashes, which can be cracked offline. Store and move it like a secret, and delete it when done.');
  }
  if (!options.output) {
    process.stdout.write(text);
    return;
  }
  try {
    // Emails and names are personal data, hashes secrets: owner-only whatever the umask says.
    await writeFile(options.output, text, { mode: 0o600 });
    await chmod(options.output, 0o600);
  } catch (error) {
    throw new CliError(`cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
