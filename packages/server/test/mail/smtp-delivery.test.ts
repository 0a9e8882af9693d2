import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { MailSettingsSchema } from '../../src/mail/mail-settings.js';
import { createMailer, type Mailer } from '../../src/mail/mailer.js';
import { linksIn, startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { openMigratedTestDatabase } from '../support/test-database.js';

let database: DatabaseHandle;
let sink: SmtpSink;
let mailer: Mailer;
const settings = MailSettingsSchema.parse({ from: 'Acme Accounts <no-reply@acme.example>' });
const LINK = 'https://id.example.com/acme/verify?token=t0k3n&flow=f1';

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-smtp-');
  sink = await startSmtpSink();
  // With credentials, as a real relay needs: the sink accepts any.
  mailer = createMailer({ smtpUrl: sink.url.replace('smtp://', 'smtp://mailer:secret@'), db: database.db });
});
afterAll(async () => {
  await mailer?.close();
  await sink?.close();
  await database.close();
});

describe('mailer in SMTP mode, against a real SMTP server', () => {
  it('delivers subject, text and HTML from the tenant sender to the one recipient', async () => {
    expect(mailer.mode).toBe('smtp');
    await mailer.send({
      tenantId: 'acme', to: 'ada@example.com', template: 'verify-email', settings,
      variables: { tenantName: 'Acme', userName: 'Ada <Lovelace>', link: LINK, code: '123456', expiresInMinutes: '1440' },
    });
    const mail = await sink.waitForMail({ to: 'ada@example.com' });
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.envelope).toEqual({ from: 'no-reply@acme.example', to: ['ada@example.com'] });
    expect(mail.from).toEqual({ name: 'Acme Accounts', address: 'no-reply@acme.example' });
    expect(mail.subject).toBe('Verify your email address for Acme');
    expect(mail.text).toContain('Hello Ada <Lovelace>,');
    expect(mail.text).toContain('123456');
    expect(mail.html).toContain('Hello Ada &lt;Lovelace&gt;,');
    expect(mail.html).toMatch(/^<!doctype html>/);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(linksIn(mail)).toEqual([LINK]);
    // SMTP mode writes nothing down.
    expect(await database.db.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
  });

  it('returns each mail once, in order, and waits for one that has not arrived yet', async () => {
    const send = (code: string) => mailer.send({
      tenantId: 'acme', to: 'bob@example.com', template: 'verify-email', settings,
      variables: { tenantName: 'Acme', link: LINK, code, expiresInMinutes: '60' },
    });
    await send('111111');
    const waiting = sink.waitForMail((mail) => mail.text.includes('222222'));
    await send('222222');
    expect((await waiting).text).toContain('222222');
    expect((await sink.waitForMail({ to: 'BOB@example.com' })).text).toContain('111111');
    await expect(sink.waitForMail({ to: 'bob@example.com' }, 200)).rejects.toThrow(/no matching mail within 200 ms/);
    expect(sink.messages.length).toBe(3);
  });
});
