import type { ListResult } from '../../management/operations.js';
import { etagOf } from '../../management/operations.js';
import type { AnyResourceSpec } from '../../management/resource.js';
import { printLine, printNote, printTable } from '../output.js';

type Scalar = string | number | boolean | null;
const isScalar = (value: unknown): value is Scalar => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** `clientId` → `CLIENT_ID`, for table headers. */
export function headerOf(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replaceAll('-', '_').toUpperCase();
}

export function printJson(value: unknown): void {
  printLine(JSON.stringify(value, null, 2));
}

/** A list: `{items, nextCursor}` with --json; else a table of the key and a few scalar fields. */
export function printList(spec: AnyResourceSpec, page: ListResult<object>, json: boolean): void {
  if (json) return printJson(page);
  const items = page.items as Record<string, unknown>[];
  const first = items[0];
  const keyField = first ? Object.keys(first).find((field) => first[field] === spec.keyOf(first)) : undefined;
  const columns = first ? Object.keys(first).filter((field) => field !== keyField && isScalar(first[field])).slice(0, 4) : [];
  printTable([headerOf(spec.key.name), ...columns.map(headerOf)],
    items.map((item) => [spec.keyOf(item), ...columns.map((field) => (isScalar(item[field]) ? item[field] : '…'))]));
  if (page.nextCursor) printNote(`More ${spec.name}: add --cursor ${page.nextCursor} (or --all)`);
}

/**
 * One item: indented JSON, the ETag for --if-match, and values shown once (a new secret) with a
 * note that they cannot be read again. With --json: one object, the item plus `etag` and those values.
 */
export function printItem(item: object, options: { json: boolean; shownOnce?: Record<string, string> | undefined }): void {
  const etag = etagOf(item);
  const shownOnce = options.shownOnce ?? {};
  const once = Object.keys(shownOnce);
  if (options.json) printJson({ ...item, ...shownOnce, etag });
  else {
    printJson(item);
    for (const [name, value] of Object.entries(shownOnce)) printLine(`${name}: ${value}`);
    printNote(`ETag: ${etag} (for --if-match)`);
  }
  if (once.length) printNote(`${once.join(', ')}: shown only this once; store ${once.length === 1 ? 'it' : 'them'} now, it cannot be read again.`);
}
