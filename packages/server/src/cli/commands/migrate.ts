import type { Command } from 'commander';
import { openDatabase } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { lockDataDir, readCliSettings } from '../cli-context.js';
import { printLine } from '../output.js';

export function registerMigrateCommand(program: Command): void {
  program.command('migrate')
    .description('bring the database schema up to date (`start` does this too); safe to run again')
    .addHelpText('after', `
Examples:
  $ tessera migrate
  $ DATABASE_URL=postgres://tessera@db/tessera tessera migrate`)
    .action(async () => {
      const settings = readCliSettings();
      const lock = lockDataDir(settings, 'cli');
      try {
        const database = await openDatabase({ databaseUrl: settings.databaseUrl, dataDir: settings.dataDir });
        try {
          const applied = await migrateToLatest(database.db);
          printLine(applied.length ? `Applied ${applied.join(', ')}.` : 'The database schema is up to date.');
        } finally {
          await database.close();
        }
      } finally {
        lock?.release();
      }
    });
}
