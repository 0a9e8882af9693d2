import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import { DELETE_BATCH_ROWS, deleteBatch } from '../db/delete-batch.js';
import type { MailOutboxTable } from '../db/schema.js';

export interface OutboxMail {
  id: string;
  tenantId: string | null;
  recipient: string;
  subject: string;
  template: string;
  textBody: string;
  htmlBody: string;
  createdAt: Date;
}

export interface OutboxFilter {
  tenantId?: string | undefined;
  /** Compared case-insensitively, as email addresses are (identifiers.ts). */
  recipient?: string | undefined;
  limit?: number | undefined;
}

function toMail(row: Selectable<MailOutboxTable>): OutboxMail {
  return {
    id: String(row.id), tenantId: row.tenant_id, recipient: row.recipient, subject: row.subject, template: row.template,
    textBody: row.text_body, htmlBody: row.html_body, createdAt: new Date(row.created_at),
  };
}

/** The development outbox (table `mail_outbox`): mail that was written down instead of sent. */
export function createOutboxRepository(db: Db) {
  return {
    async insert(mail: Omit<OutboxMail, 'id'>): Promise<string> {
      const row = await db.insertInto('mail_outbox').values({
        tenant_id: mail.tenantId, recipient: mail.recipient, subject: mail.subject, template: mail.template,
        text_body: mail.textBody, html_body: mail.htmlBody, created_at: mail.createdAt,
      }).returning('id').executeTakeFirstOrThrow();
      return String(row.id);
    },

    /** Newest first. */
    async list(filter: OutboxFilter = {}): Promise<OutboxMail[]> {
      let query = db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(filter.limit ?? 50);
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      if (filter.recipient !== undefined) query = query.where((eb) => eb(eb.fn('lower', ['recipient']), '=', filter.recipient!.toLowerCase()));
      return (await query.execute()).map(toMail);
    },

    async find(id: string): Promise<OutboxMail | undefined> {
      // The id is a bigserial: anything but digits is simply not found (and never reaches SQL as a bad cast).
      if (!/^[1-9]\d{0,17}$/.test(id)) return undefined;
      const row = await db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toMail(row) : undefined;
    },

    /** Deletes mail stored before `before` (the sweeper keeps a week: OUTBOX_RETENTION_DAYS). */
    deleteOlderThan(before: Date, limit = DELETE_BATCH_ROWS): Promise<number> {
      return deleteBatch(db, 'mail_outbox', (eb) => eb('created_at', '<', before), limit);
    },
  };
}

/** How long the development outbox keeps a mail: it holds working links and codes. */
export const OUTBOX_RETENTION_DAYS = 7;

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
