import type { User } from '../../db/repositories/users.js';
import { IMPORT_COLUMNS } from './import-record.js';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** One exported user: exactly the import columns, so an export re-imports as it is. */
export interface ExportRow {
  username: string | null;
  email: string | null;
  email_verified: boolean;
  name: string | null;
  password_hash?: string | null;
  roles: { api: string | null; roles: string[] }[];
  disabled: boolean;
}

/** The import columns of a user; the hash only when asked for (it is an offline-crackable secret). */
export function toExportRow(user: User, options: { includePasswordHashes: boolean }): ExportRow {
  return {
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    ...(options.includePasswordHashes ? { password_hash: user.passwordHash } : {}),
    roles: user.roles,
    disabled: user.disabled,
  };
}

/** The export file's text: JSON lines, or CSV with a header row (RFC 4180 quoting). */
export function formatExport(rows: ExportRow[], format: ExportFormat, options: { includePasswordHashes: boolean }): string {
  if (format === 'jsonl') return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  const columns = IMPORT_COLUMNS.filter((column) => column !== 'password_hash' || options.includePasswordHashes);
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvCell(row[column])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value) && value.length === 0) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}
