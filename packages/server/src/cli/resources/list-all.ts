import { listItems, PAGE_LIMIT, type ListResult } from '../../management/operations.js';
import type { AnyResourceSpec, ManagementContext } from '../../management/resource.js';

/** Every page of a list from `query.cursor` on (`--all`), through the same listItems as one page. */
export async function listAll(spec: AnyResourceSpec, ctx: ManagementContext, query: Record<string, unknown>): Promise<ListResult<object>> {
  const items: object[] = [];
  let cursor = query.cursor;
  do {
    const page = await listItems(spec, ctx, { ...query, limit: query.limit ?? PAGE_LIMIT.max, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { items, nextCursor: null };
}
