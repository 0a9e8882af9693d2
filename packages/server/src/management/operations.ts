import { createHash } from 'node:crypto';
import { z } from 'zod';
import { recordAuditEvent, type AuditEventType } from '../audit/audit-log.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { ManagementError, notFound, validationError } from './management-error.js';
import type { AnyResourceSpec, ManagementContext, Page } from './resource.js';

/**
 * The operations every resource supports, shared by the HTTP API and the CLI: validation of the
 * input, existence and precondition checks, one transaction per change with its audit event
 * (actor, before and after), and the tenant revision bump that makes servers reload their cache.
 */
export const PAGE_LIMIT = { default: 50, max: 200 } as const;

export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(PAGE_LIMIT.max).default(PAGE_LIMIT.default),
  cursor: z.string().max(512).optional(),
});

export interface ListResult<Item> {
  items: Item[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * One page of a list that is read whole (an application's secrets, a user's sessions…): sorted
 * by key, the items after the cursor, at most `limit`.
 */
export function pageOf<Item>(items: Item[], keyOf: (item: Item) => string, page: Page): Item[] {
  return items.map((item) => ({ item, key: keyOf(item) }))
    .filter(({ key }) => page.after === undefined || key > page.after)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, page.limit).map(({ item }) => item);
}

/** A strong validator of the item's representation (RFC 9110 §8.8.3). */
export function etagOf(item: object): string {
  return `"${createHash('sha256').update(JSON.stringify(item)).digest('base64url').slice(0, 27)}"`;
}

const encodeCursor = (key: string) => Buffer.from(key, 'utf8').toString('base64url');
function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new ManagementError(400, 'request.invalid_cursor', 'cursor is not one this API returned', [{ path: '/cursor', message: 'is not a cursor this API returned' }]);
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export async function listItems(spec: AnyResourceSpec, ctx: ManagementContext, query: Record<string, unknown>): Promise<ListResult<object>> {
  if (!spec.list) throw new ManagementError(405, 'request.method_not_allowed', `${spec.name} cannot be listed`);
  const filterSchema = spec.schemas.filter ? PageQuerySchema.extend(spec.schemas.filter.shape) : PageQuerySchema;
  const parsed = filterSchema.safeParse(query);
  if (!parsed.success) throw validationError(parsed.error, 'query');
  await assertTenantExists(spec, ctx);
  const { limit, cursor, ...filters } = parsed.data as { limit: number; cursor?: string } & Record<string, unknown>;
  const rows = await spec.list(ctx, { ...filters, after: decodeCursor(cursor), limit: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(spec.keyOf(last)) : null };
}

export async function getItem(spec: AnyResourceSpec, ctx: ManagementContext, key: string): Promise<object> {
  await assertTenantExists(spec, ctx);
  const item = await spec.get(ctx, key);
  if (!item) throw notFound(spec.noun, key);
  return item;
}

export async function createItem(spec: AnyResourceSpec, ctx: ManagementContext, body: unknown) {
  if (!spec.create || !spec.schemas.create) throw new ManagementError(405, 'request.method_not_allowed', `${spec.name} cannot be created`);
  const parsed = spec.schemas.create.safeParse(body ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'body');
  const create = spec.create;
  return change(spec, ctx, async (trx) => {
    const created = await create(trx, parsed.data);
    return { created, before: null, after: created.item, key: spec.keyOf(created.item), event: 'created' as const };
  });
}

export async function updateItem(spec: AnyResourceSpec, ctx: ManagementContext, key: string, body: unknown, ifMatch?: string) {
  if (!spec.update || !spec.schemas.update) throw new ManagementError(405, 'request.method_not_allowed', `${spec.name} cannot be changed`);
  const parsed = spec.schemas.update.safeParse(body ?? {});
  if (!parsed.success) throw validationError(parsed.error, 'body');
  const update = spec.update;
  return change(spec, ctx, async (trx) => {
    const before = await current(spec, trx, key, ifMatch);
    const after = await update(trx, before, parsed.data);
    return { created: undefined, before, after, key, event: 'updated' as const };
  });
}

export async function deleteItem(spec: AnyResourceSpec, ctx: ManagementContext, key: string, ifMatch?: string): Promise<void> {
  const remove = spec.delete;
  if (!remove) throw new ManagementError(405, 'request.method_not_allowed', `${spec.name} cannot be deleted`);
  await change(spec, ctx, async (trx) => {
    const before = await current(spec, trx, key, ifMatch);
    await remove(trx, before);
    return { created: undefined, before, after: null, key, event: 'deleted' as const };
  });
}

/** The item as it is now, checked against If-Match (412 when someone changed it since it was read). */
async function current(spec: AnyResourceSpec, ctx: ManagementContext, key: string, ifMatch: string | undefined): Promise<object> {
  const item = await spec.get(ctx, key);
  if (!item) throw notFound(spec.noun, key);
  if (ifMatch !== undefined && !ifMatchAccepts(ifMatch, etagOf(item))) {
    throw new ManagementError(412, `${spec.noun.replaceAll(' ', '_')}.changed`,
      `The ${spec.noun} changed since it was read (If-Match does not match its ETag); read it again and retry`);
  }
  return item;
}

/** RFC 9110 §13.1.1: `*` or a list of entity tags; weak tags never match for a change. */
function ifMatchAccepts(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').map((tag) => tag.trim()).includes(etag);
}

interface Change<Item> {
  created: { item: Item; shownOnce?: Record<string, string> } | undefined;
  before: object | null;
  after: object | null;
  key: string;
  event: 'created' | 'updated' | 'deleted';
}

async function change<Item>(spec: AnyResourceSpec, ctx: ManagementContext, run: (trx: ManagementContext) => Promise<Change<Item>>) {
  await assertTenantExists(spec, ctx);
  return ctx.db.transaction().execute(async (db) => {
    const trx = { ...ctx, db };
    const result = await run(trx);
    // A change to a tenant itself is recorded in that tenant (a new one has no id in the path yet).
    const tenantId = spec.tenantScoped === false ? result.key : ctx.tenantId;
    await recordAuditEvent(db, {
      tenantId,
      type: `${spec.noun.replaceAll(' ', '_')}.${result.event}` as AuditEventType,
      actor: ctx.actor,
      subject: ctx.parentKey ? `${ctx.parentKey}/${result.key}` : result.key,
      data: { before: result.before, after: result.after },
    });
    const tenantGone = spec.tenantScoped === false && result.event === 'deleted';
    if (spec.affectsProvider && !tenantGone) await createTenantRepository(db).bumpRevision(tenantId);
    return result;
  });
}

async function assertTenantExists(spec: AnyResourceSpec, ctx: ManagementContext): Promise<void> {
  if (spec.tenantScoped === false) return;
  if (!await createTenantRepository(ctx.db).find(ctx.tenantId)) throw notFound('tenant', ctx.tenantId);
}
