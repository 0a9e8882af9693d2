import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../server/free-port.js';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../db/database.js';
import { MailSettingsSchema } from './mail-settings.js';
import { createMailer, mailWarnings, type MailLog } from './mailer.js';
import { createOutboxRepository } from './outbox-repository.js';

let database: DatabaseHandle;
const now = Date.parse('2026-03-01T12:00:00Z');
const settings = MailSettingsSchema.parse({ from: 'Acme <no-reply@acme.example>' });
const LINK = 'https://id.example.com/acme/recovery?token=secret-token-value';

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-mailer-');
});
afterAll(async () => {
  await database.close();
});

function recordingLog(): MailLog & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (fields, message) => lines.push(JSON.stringify({ ...fields, message })), warn: (fields, message) => lines.push(JSON.stringify({ ...fields, message })) };
}

describe('mailer in outbox mode', () => {
  it('writes the rendered mail to the outbox at the clock time, and logs no link', async () => {
    const log = recordingLog();
    const mailer = createMailer({ db: database.db, clock: () => now, log });
    expect(mailer.mode).toBe('outbox');
    await mailer.send({
      tenantId: 'acme', to: 'Ada@Example.com', template: 'reset-password', settings,
      variables: { tenantName: 'Acme', userName: 'Ada', link: LINK, expiresInMinutes: '15' },
    });
    const [mail] = await createOutboxRepository(database.db).list({ recipient: 'ada@example.com' });
    expect(mail).toMatchObject({
      tenantId: 'acme', recipient: 'Ada@Example.com', template: 'reset-password', subject: 'Reset your Acme password',
      createdAt: new Date(now),
    });
    expect(mail?.textBody).toContain(LINK);
    expect(mail?.htmlBody).toContain(`href="${LINK}"`);
    expect(log.lines).toHaveLength(1);
    expect(log.lines.join()).not.toContain('secret-token-value');
    await mailer.close();
  });

  it('lists newest first, filtered by tenant and recipient, and finds by id', async () => {
    const mailer = createMailer({ db: database.db, clock: () => now });
    for (const [tenantId, to] of [['t1', 'one@example.com'], ['t2', 'two@example.com'], ['t1', 'two@example.com']] as const) {
      await mailer.send({ tenantId, to, template: 'account-deleted', settings, variables: { tenantName: tenantId } });
    }
    const outbox = createOutboxRepository(database.db);
    expect((await outbox.list({ tenantId: 't1' })).map((m) => m.recipient)).toEqual(['two@example.com', 'one@example.com']);
    expect((await outbox.list({ recipient: 'TWO@example.com' })).map((m) => m.tenantId)).toEqual(['t1', 't2']);
    expect(await outbox.list({ tenantId: 't1', limit: 1 })).toHaveLength(1);
    const [newest] = await outbox.list({ limit: 1 });
    expect((await outbox.find(newest!.id))?.subject).toBe('Your t1 account was deleted');
    expect(await outbox.find('not-a-number')).toBeUndefined();
    expect(await outbox.find('999999999')).toBeUndefined();
  });

  it('forgets mail older than the retention the sweeper applies', async () => {
    const outbox = createOutboxRepository(database.db);
    const stored = (await outbox.list({ limit: 1000 })).length;
    expect(stored).toBeGreaterThan(0);
    expect(await outbox.deleteOlderThan(new Date(now))).toBe(0);
    expect(await outbox.deleteOlderThan(new Date(now + 1))).toBe(stored);
    expect(await outbox.list()).toEqual([]);
  });

  it('refuses a recipient list or a display name with mail.send_failed, and writes nothing', async () => {
    const mailer = createMailer({ db: database.db, clock: () => now });
    for (const to of ['a@example.com, b@example.com', 'Eve <eve@example.com>', 'not an address']) {
      await expect(mailer.send({ tenantId: 'acme', to, template: 'account-deleted', settings, variables: { tenantName: 'Acme' } }))
        .rejects.toMatchObject({ code: 'mail.send_failed' });
    }
    expect(await createOutboxRepository(database.db).list({ recipient: 'b@example.com' })).toEqual([]);
  });
});

describe('mailer in SMTP mode', () => {
  it('throws mail.send_failed when the SMTP server cannot be reached, without the link in the error or the log', async () => {
    const port = await findFreePort();
    const log = recordingLog();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, db: database.db, log });
    expect(mailer.mode).toBe('smtp');
    const sending = mailer.send({
      tenantId: 'acme', to: 'ada@example.com', template: 'reset-password', settings,
      variables: { tenantName: 'Acme', link: LINK, expiresInMinutes: '15' },
    });
    await expect(sending).rejects.toMatchObject({ code: 'mail.send_failed', message: expect.stringMatching(/^mail\.send_failed: E[A-Z]+$/) });
    expect(log.lines.join()).toContain('mail not sent');
    expect(log.lines.join()).not.toContain('secret-token-value');
    await mailer.close();
  });
});

describe('mailWarnings', () => {
  it('warns when mail is not delivered', () => {
    expect(mailWarnings({ smtpUrl: undefined })).toEqual([
      'No TESSERA_SMTP_URL: mail goes to the development outbox (tessera mail list, /dev/outbox) and is not delivered.',
    ]);
    expect(mailWarnings({ smtpUrl: 'smtp://127.0.0.1:2525' })).toEqual([]);
  });
});
