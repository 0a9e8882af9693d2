import type { Db } from '../db/database.js';
import { createOutboxRepository } from '../mail/outbox-repository.js';
import type { SmsSender } from './sms-sender.js';

/** The template name SMS messages carry in the development outbox. */
export const SMS_OUTBOX_TEMPLATE = 'sms-code';

/**
 * Without a provider, text messages are written to the development outbox beside mail (the
 * recipient is the phone number), so `tessera mail list` and /dev/outbox show them.
 */
export function createOutboxSmsSender(options: { db: Db; clock: () => Date }): SmsSender {
  const outbox = createOutboxRepository(options.db);
  return {
    mode: 'outbox',
    async send(message) {
      await outbox.insert({
        tenantId: message.tenantId, recipient: message.to, subject: `SMS to ${message.to}`, template: SMS_OUTBOX_TEMPLATE,
        textBody: message.text, htmlBody: `<pre>${escape(message.text)}</pre>`, createdAt: options.clock(),
      });
    },
  };
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
