/**
 * Whether `value` is a UUID in its canonical text form. Ids and cursors from a request are
 * checked before they reach a `uuid` column, where PostgreSQL would refuse them with an error.
 */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
