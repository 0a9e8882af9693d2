import { InvalidArgumentError, type Command } from 'commander';
import { createOutboxRepository, type OutboxMail } from '../../mail/outbox-repository.js';
import { withServices } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { formatDate, printLine, printNote, printTable } from '../output.js';

interface ListOptions { tenant?: string; to?: string; json?: boolean; limit: number }

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  return limit;
}

/** With SMTP configured, new mail is delivered, not written down: say so, or an empty list misleads. */
function noteSmtpMode(): void {
  if (process.env.TESSERA_SMTP_URL?.trim()) printNote('TESSERA_SMTP_URL is set: mail is delivered by SMTP; the outbox holds only mail written while it was not.');
}

function toJson(mail: OutboxMail, withBodies: boolean) {
  const { textBody, htmlBody, createdAt, ...rest } = mail;
  return { ...rest, createdAt: createdAt.toISOString(), ...(withBodies ? { textBody, htmlBody } : {}) };
}

export function registerMailCommand(program: Command): void {
  const mail = program.command('mail').description('read the development outbox (mail written down instead of sent)');

  mail.command('list')
    .description('list the mail in the development outbox, newest first')
    .option('--tenant <id>', 'only mail of this tenant')
    .option('--to <address>', 'only mail to this address (case-insensitive)')
    .option('--json', 'print JSON lines, one mail each, with the text and HTML parts')
    .option('--limit <n>', 'at most this many (default 20)', parseLimit, 20)
    .addHelpText('after', `
Without TESSERA_SMTP_URL, Tessera writes every mail to the outbox instead of sending it.
The outbox holds working links and codes: it is a development tool (docs/mail.md).

Examples:
  $ tessera mail list
  $ tessera mail list --tenant demo --to alice@example.com --limit 1
  $ tessera mail list --to alice@example.com --limit 1 --json | jq -r .textBody`)
    .action(async (options: ListOptions) => {
      noteSmtpMode();
      await withServices(async (services) => {
        const mails = await createOutboxRepository(services.db).list({ tenantId: options.tenant, recipient: options.to, limit: options.limit });
        if (options.json) {
          for (const entry of mails) printLine(JSON.stringify(toJson(entry, true)));
          return;
        }
        printTable(['ID', 'CREATED', 'TENANT', 'TO', 'TEMPLATE', 'SUBJECT'],
          mails.map((entry) => [entry.id, formatDate(entry.createdAt), entry.tenantId, entry.recipient, entry.template, entry.subject]));
      });
    });

  mail.command('show')
    .description('print the text part of one mail of the outbox (its subject and recipient go to stderr)')
    .argument('<id>', 'id of the mail (`tessera mail list` shows them)')
    .addHelpText('after', `
Example:
  $ tessera mail show 12`)
    .action(async (id: string) => {
      await withServices(async (services) => {
        const found = await createOutboxRepository(services.db).find(id);
        if (!found) throw new CliError(`no mail ${id} in the outbox (\`tessera mail list\` shows them)`);
        // The text alone on stdout (`tessera mail show 12 | grep -o 'https://[^ ]*'`); what it is on stderr.
        printNote(`#${found.id} to ${found.recipient} (${found.template}, tenant ${found.tenantId ?? '-'}, ${formatDate(found.createdAt)}): ${found.subject}`);
        printLine(found.textBody);
      });
    });
}
