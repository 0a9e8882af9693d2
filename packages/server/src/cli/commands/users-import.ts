import { readFile } from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import {
  DEFAULT_BATCH_SIZE, IMPORT_FORMATS, ImportBatchError, ImportFileError, importUsers, parseFirebaseParams, parseImportFile,
  validateRows, type ImportFormat, type ImportSummary, type RowProblem,
} from '../../identity/import/index.js';
import { requireTenant, withServices } from '../cli-context.js';
import { CliError, UsageError } from '../cli-error.js';
import { printLine, printNote } from '../output.js';
import { registerUserExportCommand } from './users-export.js';

interface ImportCliOptions {
  tenant: string; format?: ImportFormat; firebaseParams?: string; dryRun?: boolean; batchSize: number;
  onConflict: 'update' | 'skip'; overwritePasswords?: boolean; skipInvalid?: boolean; json?: boolean;
}

/** Registers `users import` and `users export` under the `users` command. */
export function registerUserImportCommands(users: Command): void {
  users.command('import')
    .description('import users from a file (JSON lines, CSV, Auth0 or Firebase export); idempotent, in batches')
    .argument('<file>', 'the users file, or - for standard input (formats: docs/user-import.md)')
    .requiredOption('--tenant <id>', 'tenant to import into')
    .addOption(new Option('--format <format>', 'file format (default: detected from the name and content)').choices(IMPORT_FORMATS))
    .option('--firebase-params <file>', 'hash parameters of the Firebase project (from `firebase auth:export`)')
    .option('--dry-run', 'validate and count against the database, then roll back: nothing is written')
    .option('--batch-size <n>', 'users per transaction', parseBatchSize, DEFAULT_BATCH_SIZE)
    .addOption(new Option('--on-conflict <policy>', 'a user with the same email or username: update it, or skip it').choices(['update', 'skip']).default('update'))
    .option('--overwrite-passwords', 'replace stored password hashes that differ from the file (default: keep them)')
    .option('--skip-invalid', 'import the valid users even when some lines are invalid (default: import nothing)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText('after', `
The whole file is validated first. With invalid lines, every problem is listed and nothing is
imported, unless --skip-invalid is given. Plaintext passwords are refused: import hashes
(bcrypt, argon2, PBKDF2, Django, Firebase scrypt…), which are upgraded at the next sign-in.

Examples:
  $ tessera users import users.jsonl --tenant demo --dry-run
  $ tessera users import users.csv --tenant demo --skip-invalid
  $ tessera users import auth0-users.json --tenant demo --format auth0 --json
  $ tessera users import firebase-users.json --tenant demo --firebase-params hash-config.txt`)
    .action(runImport);
  registerUserExportCommand(users);
}

function parseBatchSize(value: string): number {
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new UsageError('--batch-size must be a whole number from 1 to 10000');
  return size;
}

async function runImport(file: string, options: ImportCliOptions): Promise<void> {
  const text = await readInput(file);
  const firebaseParams = options.firebaseParams === undefined ? undefined : parseFirebaseParams(await readInput(options.firebaseParams));
  const { format, rows } = fileStep(() => parseImportFile(text, { format: options.format, fileName: file, firebaseParams }));
  await withServices(async (services) => {
    await requireTenant(services.db, options.tenant);
    const knownApis = new Set((await services.apis.list(options.tenant)).map((api) => api.identifier));
    const { records, problems } = validateRows(rows, { knownApis });
    if (problems.length && !options.skipInvalid) {
      if (options.json) printLine(JSON.stringify({ format, imported: false, invalid: problems }));
      else for (const problem of problems) printNote(`invalid (${problem.ref}: ${problem.reason})`);
      throw new CliError(`${problems.length} invalid line${problems.length === 1 ? '' : 's'} in ${file}: nothing was imported (fix them, or pass --skip-invalid to import the other ${records.length})`);
    }
    const bar = !options.json && process.stderr.isTTY ? startProgressBar(records.length) : undefined;
    try {
      const summary = await importUsers({ db: services.db, clock: () => new Date() }, records, {
        tenantId: options.tenant, batchSize: options.batchSize, onConflict: options.onConflict,
        overwritePasswords: options.overwritePasswords === true, dryRun: options.dryRun === true, actor: 'cli',
        onProgress: (done) => bar?.update(done),
      });
      bar?.stop();
      printSummary(format, summary, problems, options.json === true);
    } catch (error) {
      bar?.stop();
      if (!(error instanceof ImportBatchError)) throw error;
      printSummary(format, error.summary, problems, options.json === true);
      throw new CliError(`${error.message}. Batches before it are committed; fix the cause and run the import again (it is idempotent).`);
    }
  });
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function fileStep<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ImportFileError) throw new CliError(error.message);
    throw error;
  }
}

function startProgressBar(total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({
    stream: process.stderr, format: 'Importing [{bar}] {value}/{total} users ({eta_formatted} left)', hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

const LISTED = 50;

function printSummary(format: ImportFormat, summary: ImportSummary, invalid: RowProblem[], json: boolean): void {
  const skipped = [...invalid, ...summary.skipped];
  if (json) {
    printLine(JSON.stringify({
      format, imported: !summary.dryRun, dryRun: summary.dryRun, batches: summary.batches, created: summary.created,
      updated: summary.updated, unchanged: summary.unchanged, skipped, passwordsKept: summary.passwordsKept,
    }));
    return;
  }
  for (const item of skipped.slice(0, LISTED)) printLine(`  skipped (${item.ref}: ${item.reason})`);
  if (skipped.length > LISTED) printLine(`  … and ${skipped.length - LISTED} more skipped (--json lists them all)`);
  if (summary.passwordsKept.length) {
    printLine(`  kept the stored password of ${summary.passwordsKept.length} user(s) whose hash differs from the file (${summary.passwordsKept.slice(0, 5).join(', ')}${summary.passwordsKept.length > 5 ? ', …' : ''}); --overwrite-passwords replaces them`);
  }
  const verb = summary.dryRun ? 'Would create' : 'Created';
  printLine(`${verb} ${summary.created}, ${summary.dryRun ? 'would update' : 'updated'} ${summary.updated}, unchanged ${summary.unchanged}, skipped ${skipped.length}.`);
  if (summary.dryRun) printLine('Dry run: nothing was written.');
}
