import { ImportFileError, type ParsedRow } from './import-record.js';
import { parseAuth0 } from './parse-auth0.js';
import { parseCsv } from './parse-csv.js';
import { parseFirebase } from './parse-firebase.js';
import { parseJsonLines } from './parse-json-lines.js';
import type { FirebaseHashParams } from './password-hashes.js';

export const IMPORT_FORMATS = ['jsonl', 'csv', 'auth0', 'firebase'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/**
 * The format of a file when none is given: `.csv` is CSV; a JSON object with a `users` array
 * is a Firebase export; a JSON array, or JSON lines with Auth0-only fields (user_id,
 * custom_password_hash, blocked…), is Auth0; other JSON lines are our own format.
 */
export function detectFormat(fileName: string, text: string): ImportFormat {
  if (/\.csv$/i.test(fileName)) return 'csv';
  const start = text.trimStart();
  if (start.startsWith('[')) return 'auth0';
  if (start.startsWith('{')) {
    if (/^\{\s*"users"\s*:\s*\[/.test(start)) return 'firebase';
    const firstLine = start.split(/\r?\n/, 1)[0] ?? '';
    return /"(user_id|custom_password_hash|blocked|given_name|family_name|nickname|identities)"\s*:/.test(firstLine) ? 'auth0' : 'jsonl';
  }
  if (/\.(jsonl|ndjson|json)$/i.test(fileName)) return 'jsonl';
  if (start.length === 0) throw new ImportFileError('the file is empty');
  return 'csv';
}

export interface ParseImportOptions {
  format?: ImportFormat | undefined;
  /** Used for format detection only. */
  fileName?: string | undefined;
  firebaseParams?: FirebaseHashParams | undefined;
}

/** Every row of the file, readable or not (`{ ref, error }`); throws ImportFileError when the file itself is unreadable. */
export function parseImportFile(text: string, options: ParseImportOptions = {}): { format: ImportFormat; rows: ParsedRow[] } {
  const format = options.format ?? detectFormat(options.fileName ?? '', text);
  const rows = (() => {
    switch (format) {
      case 'jsonl': return parseJsonLines(text);
      case 'csv': return parseCsv(text);
      case 'auth0': return parseAuth0(text);
      case 'firebase': return parseFirebase(text, options.firebaseParams);
    }
  })();
  if (rows.length === 0) throw new ImportFileError('the file has no users');
  return { format, rows };
}
