import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerMailCommand } from '../../src/cli/commands/mail.js';
import { readSettings } from '../../src/config/settings.js';
import { MailSettingsSchema } from '../../src/mail/mail-settings.js';
import { createMailer } from '../../src/mail/mailer.js';
import { createServices } from '../../src/server/services.js';
import { createTestPostgresDatabase, dropTestPostgresDatabase, testDatabaseKind } from '../support/test-database.js';

/**
 * `tessera mail` in this process (commander and the real services, with the environment a
 * CLI run would have): much faster than a process per run, and the command is exercised the
 * same way main.ts runs it.
 */
let root: string;
let database: { name: string; url: string } | undefined;
const saved = { ...process.env };

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'tessera-mail-cli-'));
  database = testDatabaseKind() === 'postgres' ? await createTestPostgresDatabase() : undefined;
  for (const key of Object.keys(process.env)) if (key.startsWith('TESSERA_') || key === 'DATABASE_URL') delete process.env[key];
  Object.assign(process.env, {
    TESSERA_DATA_DIR: path.join(root, 'data'), TESSERA_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const services = await createServices(readSettings(process.env));
  try {
    const mailer = createMailer({ db: services.db });
    const settings = MailSettingsSchema.parse({});
    await mailer.send({ tenantId: 'demo', to: 'alice@example.com', template: 'reset-password', settings,
      variables: { tenantName: 'Demo', link: 'https://id.example.com/demo/reset?token=abc', expiresInMinutes: '15' } });
    await mailer.send({ tenantId: 'other', to: 'alice@example.com', template: 'account-deleted', settings, variables: { tenantName: 'Other' } });
  } finally {
    await services.close();
  }
});
afterAll(async () => {
  process.env = saved;
  if (database) await dropTestPostgresDatabase(database.name);
  rmSync(root, { recursive: true, force: true });
});

async function run(args: string[]): Promise<string> {
  const program = new Command('tessera').exitOverride();
  registerMailCommand(program);
  const chunks: string[] = [];
  const note = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    write.mockRestore();
    note.mockRestore();
  }
  return chunks.join('');
}

describe('tessera mail', () => {
  it('lists the outbox as JSON lines, filtered by tenant and recipient, and shows one mail', async () => {
    const lines = (await run(['mail', 'list', '--tenant', 'demo', '--to', 'ALICE@example.com', '--json'])).trim().split('\n');
    expect(lines).toHaveLength(1);
    const mail = JSON.parse(lines[0]!) as Record<string, string>;
    expect(mail).toMatchObject({ tenantId: 'demo', recipient: 'alice@example.com', template: 'reset-password', subject: 'Reset your Demo password' });
    expect(mail.textBody).toContain('https://id.example.com/demo/reset?token=abc');

    const table = await run(['mail', 'list', '--limit', '5']);
    expect(table.split('\n')[0]).toMatch(/^ID\s+CREATED\s+TENANT\s+TO\s+TEMPLATE\s+SUBJECT$/);
    expect(table.indexOf('Your Other account was deleted')).toBeLessThan(table.indexOf('Reset your Demo password'));

    expect(await run(['mail', 'show', mail.id!])).toContain('The link is valid for 15 minutes');
  });
});
