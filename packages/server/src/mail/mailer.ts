import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import type { MailSettings } from './mail-settings.js';
import type { MailTemplateName } from './mail-templates.js';
import { createOutboxRepository } from './outbox-repository.js';
import { renderMail, type RenderedMail } from './render-mail.js';

export interface MailMessage {
  tenantId: string | null;
  to: string;
  template: MailTemplateName;
  locale?: string | undefined;
  settings: MailSettings;
  variables: Record<string, string>;
}

export interface Mailer {
  /** `smtp` delivers; `outbox` writes to the development outbox (docs/mail.md). */
  readonly mode: 'smtp' | 'outbox';
  /** Renders and sends one mail; throws MailSendError (`mail.send_failed`) when it cannot. */
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** The pino-shaped subset the mailer logs to. Never given a link, code or body. */
export interface MailLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export class MailSendError extends Error {
  readonly code = 'mail.send_failed';
  constructor(cause: unknown) {
    // The cause's own code (ECONNREFUSED, EAUTH, ...) only: SMTP replies can echo addresses.
    super(`mail.send_failed: ${(cause as { code?: string }).code ?? 'error'}`, { cause });
    this.name = 'MailSendError';
  }
}

/** One recipient, a plain address: never a list, never a display name that could hide a second one. */
const RecipientSchema = z.email().max(320);

interface Transport { deliver(message: MailMessage, mail: RenderedMail): Promise<void>; close(): Promise<void> }

/**
 * The mailer: SMTP when `smtpUrl` is set (TESSERA_SMTP_URL), else the development outbox in
 * the database. Rendering errors (unknown variables) throw `mail.invalid_variables`;
 * delivery errors `mail.send_failed`, and the caller decides (account flows answer the same
 * either way, so a failed send reveals nothing about the account: OWASP Authentication Cheat
 * Sheet, "Authentication and Error Messages").
 */
export function createMailer(options: { smtpUrl?: string | undefined; db: Db; clock?: () => number; log?: MailLog }): Mailer {
  const clock = options.clock ?? Date.now;
  const transport = options.smtpUrl ? smtpTransport(options.smtpUrl) : outboxTransport(options.db, clock);
  return {
    mode: options.smtpUrl ? 'smtp' : 'outbox',
    async send(message) {
      const to = RecipientSchema.safeParse(message.to);
      if (!to.success) throw new MailSendError({ code: 'invalid_recipient' });
      const mail = renderMail({ ...message, to: to.data });
      try {
        await transport.deliver({ ...message, to: to.data }, mail);
      } catch (error) {
        options.log?.warn({ template: message.template, tenantId: message.tenantId, code: (error as { code?: string }).code }, 'mail not sent');
        throw new MailSendError(error);
      }
      options.log?.info({ template: message.template, tenantId: message.tenantId, locale: mail.locale }, 'mail sent');
    },
    close: () => transport.close(),
  };
}

function smtpTransport(smtpUrl: string): Transport {
  // Pooled, with timeouts short enough for a request that waits on it (the defaults are minutes).
  const transporter = nodemailer.createTransport({
    url: smtpUrl, pool: true, maxConnections: 5,
    connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000,
  });
  return {
    async deliver(message, mail) {
      await transporter.sendMail({
        from: message.settings.from, to: message.to, subject: mail.subject, text: mail.text, html: mail.html,
        // RFC 3834 §5: automatic mail, so auto-responders do not answer it.
        headers: { 'Auto-Submitted': 'auto-generated', 'Content-Language': mail.locale },
      });
    },
    close: async () => { transporter.close(); },
  };
}

function outboxTransport(db: Db, clock: () => number): Transport {
  const outbox = createOutboxRepository(db);
  return {
    async deliver(message, mail) {
      await outbox.insert({
        tenantId: message.tenantId, recipient: message.to, subject: mail.subject, template: message.template,
        textBody: mail.text, htmlBody: mail.html, createdAt: new Date(clock()),
      });
    },
    close: async () => {},
  };
}

/** Start-up warnings about mail (STYLE.md §9), printed with the other settings warnings. */
export function mailWarnings(settings: { smtpUrl?: string | undefined }): string[] {
  return settings.smtpUrl ? [] : ['No TESSERA_SMTP_URL: mail goes to the development outbox (tessera mail list, /dev/outbox) and is not delivered.'];
}
