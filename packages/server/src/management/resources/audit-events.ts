import { z } from 'zod';
import { defineResource, type ManagementContext } from '../resource.js';

const AuditItemSchema = z.object({
  id: z.string(),
  type: z.string(),
  outcome: z.string(),
  actor: z.string().nullable(),
  subject: z.string().nullable(),
  clientId: z.string().nullable(),
  correlationId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
type AuditItem = z.infer<typeof AuditItemSchema>;

const Timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

function query(ctx: ManagementContext) {
  return ctx.db.selectFrom('audit_events').selectAll().where('tenant_id', '=', ctx.tenantId);
}

const toItem = (row: Awaited<ReturnType<ReturnType<typeof query>['execute']>>[number]): AuditItem => ({
  id: String(row.id), type: row.type, outcome: row.outcome, actor: row.actor, subject: row.subject, clientId: row.client_id,
  correlationId: row.correlation_id, data: row.data, createdAt: new Date(row.created_at).toISOString(),
});

/** The tenant's audit trail, newest first; read-only (the table refuses changes). */
export const auditEventsResource = defineResource({
  name: 'audit-events',
  noun: 'audit event',
  area: 'audit',
  description: 'The audit trail, newest first. Every management change is here with its actor and the item before and after.',
  key: { name: 'eventId', description: 'the event id' },
  keyOf: (item: AuditItem) => item.id,
  schemas: {
    item: AuditItemSchema,
    filter: z.object({
      type: z.string().max(100).optional(), actor: z.string().max(300).optional(), subject: z.string().max(300).optional(),
      since: Timestamp.optional(), until: Timestamp.optional(),
    }),
  },
  async list(ctx, { after, limit, type, actor, subject, since, until }) {
    const rows = await query(ctx)
      .$if(after !== undefined, (q) => q.where('id', '<', /^\d{1,19}$/.test(after!) ? after! : '0'))
      .$if(typeof type === 'string', (q) => q.where('type', '=', type as string))
      .$if(typeof actor === 'string', (q) => q.where('actor', '=', actor as string))
      .$if(typeof subject === 'string', (q) => q.where('subject', '=', subject as string))
      .$if(typeof since === 'string', (q) => q.where('created_at', '>=', new Date(since as string)))
      .$if(typeof until === 'string', (q) => q.where('created_at', '<', new Date(until as string)))
      .orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toItem);
  },
  async get(ctx, id) {
    if (!/^\d{1,19}$/.test(id)) return undefined;
    const row = await query(ctx).where('id', '=', id).executeTakeFirst();
    return row && toItem(row);
  },
});
