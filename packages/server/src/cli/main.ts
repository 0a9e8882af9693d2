import { CommanderError } from 'commander';
import { ConfigFileError } from '../config/load-config-file.js';
import { DataDirLockedError } from '../db/data-dir-lock.js';
import { CliError } from './cli-error.js';
import { createProgram } from './program.js';

/** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage error. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await createProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander printed the message already; help and version "errors" are successes.
    return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : 2;
  }
  if (process.env.TESSERA_DEBUG === '1') console.error(error);
  if (error instanceof ConfigFileError) {
    const count = error.problems.length;
    process.stderr.write(`tessera: ${error.file}: ${count} problem${count === 1 ? '' : 's'}:\n${error.message}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  // A CliError's further lines are meant for the user (the fields at fault); other errors show their first line only.
  process.stderr.write(`tessera: ${error instanceof CliError ? message : firstLine(message)}\n`);
  if (!(error instanceof CliError || error instanceof DataDirLockedError) && process.env.TESSERA_DEBUG !== '1') {
    process.stderr.write('(set TESSERA_DEBUG=1 for details)\n');
  }
  return error instanceof CliError ? error.exitCode : 1;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

process.exitCode = await runCli(process.argv);
