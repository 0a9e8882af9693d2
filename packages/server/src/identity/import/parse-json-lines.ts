import { toParsedRow, type ParsedRow } from './import-record.js';

/**
 * JSON lines (https://jsonlines.org): one user object per line; blank lines are ignored, so
 * a trailing newline or a spacer line is harmless. `map` turns a parsed object into our shape
 * (the Auth0 format reuses this reader).
 */
export function parseJsonLines(text: string, map: (value: unknown, ref: string) => ParsedRow = (value, ref) => toParsedRow(ref, value)): ParsedRow[] {
  const rows: ParsedRow[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const ref = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      rows.push({ ref, error: `not valid JSON (${(error as Error).message})` });
      continue;
    }
    rows.push(map(value, ref));
  }
  return rows;
}
