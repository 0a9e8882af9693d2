import { parse } from 'csv-parse/sync';
import { IMPORT_COLUMNS, ImportFileError, PLAINTEXT_REFUSED, toParsedRow, type ParsedRow } from './import-record.js';

/**
 * CSV (RFC 4180) with a header row naming the columns of IMPORT_COLUMNS, in any order and any
 * subset. An empty cell means "not given"; booleans are true/false, yes/no or 1/0; `roles` is
 * JSON (`[{"api":"https://api.example.com","roles":["admin"]}]`), quoted as CSV quotes it.
 */
export function parseCsv(text: string): ParsedRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => checkHeader(header.map((column) => column.trim())),
      bom: true,
      skip_empty_lines: true,
      info: true,
    }) as never;
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`not valid CSV: ${(error as Error).message}`);
  }
  return records.map(({ record, info }) => {
    const ref = `line ${info.lines}`;
    try {
      return toParsedRow(ref, fromCells(record));
    } catch (error) {
      return { ref, error: (error as Error).message };
    }
  });
}

function checkHeader(columns: string[]): string[] {
  if (columns.includes('password')) throw new ImportFileError(`column "password": ${PLAINTEXT_REFUSED}`);
  const unknown = columns.filter((column) => !(IMPORT_COLUMNS as readonly string[]).includes(column));
  if (unknown.length) {
    throw new ImportFileError(`unknown CSV column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => `"${c}"`).join(', ')} (expected a header row with ${IMPORT_COLUMNS.join(', ')})`);
  }
  if (!columns.includes('username') && !columns.includes('email')) {
    throw new ImportFileError(`the CSV header needs a "username" or an "email" column (expected a header row with ${IMPORT_COLUMNS.join(', ')})`);
  }
  return columns;
}

const BOOLEANS: Record<string, boolean> = { true: true, yes: true, 1: true, false: false, no: false, 0: false };

function fromCells(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === '') continue;
    if (column === 'email_verified' || column === 'disabled') {
      const value = BOOLEANS[cell.trim().toLowerCase()];
      if (value === undefined) throw new Error(`${column}: must be true or false, got "${cell}"`);
      row[column] = value;
    } else if (column === 'roles') {
      try {
        row.roles = JSON.parse(cell);
      } catch {
        throw new Error('roles: must be JSON, like [{"api":"https://api.example.com","roles":["admin"]}]');
      }
    } else {
      row[column] = cell;
    }
  }
  return row;
}
