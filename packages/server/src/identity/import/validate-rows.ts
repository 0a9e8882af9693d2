import { checkEmail, checkUsername } from '../identifiers.js';
import type { ImportRow, ParsedRow } from './import-record.js';
import { unknownHashReason } from './password-hashes.js';

/** A row that passed every check: identifiers normalized as sign-in compares them. */
export interface ImportRecord {
  ref: string;
  username?: string | undefined;
  email?: string | undefined;
  emailVerified?: boolean | undefined;
  name?: string | undefined;
  passwordHash?: string | undefined;
  roles?: { api: string; roles: string[] }[] | undefined;
  disabled?: boolean | undefined;
}

export interface RowProblem {
  ref: string;
  reason: string;
}

export interface ValidationResult {
  records: ImportRecord[];
  problems: RowProblem[];
}

/**
 * Checks every row, in file order, and reports every problem (not only the first): unreadable
 * rows, identifiers (the rules of registration, identifiers.ts), unknown hash formats, roles
 * for APIs the tenant does not have, and identifiers used twice in the file (the first wins).
 */
export function validateRows(rows: ParsedRow[], options: { knownApis?: ReadonlySet<string> | undefined } = {}): ValidationResult {
  const records: ImportRecord[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, string>();
  for (const parsed of rows) {
    if ('error' in parsed) {
      problems.push({ ref: parsed.ref, reason: parsed.error });
      continue;
    }
    const result = checkRow(parsed.ref, parsed.row, options.knownApis);
    if (typeof result === 'string') {
      problems.push({ ref: parsed.ref, reason: result });
      continue;
    }
    const duplicate = claimIdentifiers(result, seen);
    if (duplicate) problems.push({ ref: parsed.ref, reason: duplicate });
    else records.push(result);
  }
  return { records, problems };
}

function checkRow(ref: string, row: ImportRow, knownApis: ReadonlySet<string> | undefined): ImportRecord | string {
  if (row.username === undefined && row.email === undefined) return 'a user needs a username or an email';
  const reasons: string[] = [];
  const username = row.username === undefined ? undefined : checkUsername(row.username);
  if (username && !username.ok) reasons.push(`username "${row.username}": ${username.message}`);
  const email = row.email === undefined ? undefined : checkEmail(row.email);
  if (email && !email.ok) reasons.push(`email "${row.email}": ${email.message}`);
  const hashProblem = row.password_hash === undefined ? undefined : unknownHashReason(row.password_hash);
  if (hashProblem) reasons.push(hashProblem);
  const unknownApis = knownApis ? (row.roles ?? []).filter((grant) => !knownApis.has(grant.api)).map((grant) => grant.api) : [];
  if (unknownApis.length) reasons.push(`roles: the tenant has no API ${unknownApis.map((api) => `"${api}"`).join(', ')}`);
  if (reasons.length) return reasons.join('; ');
  return {
    ref,
    username: username?.ok ? username.value : undefined,
    email: email?.ok ? email.value : undefined,
    emailVerified: row.email_verified,
    name: row.name,
    passwordHash: row.password_hash,
    roles: row.roles,
    disabled: row.disabled,
  };
}

/** Records the record's identifiers; returns why not when one was already used in the file. */
function claimIdentifiers(record: ImportRecord, seen: Map<string, string>): string | undefined {
  const keys = [
    record.username === undefined ? undefined : ['username', record.username.toLowerCase()] as const,
    record.email === undefined ? undefined : ['email', record.email.toLowerCase()] as const,
  ].filter((key) => key !== undefined);
  for (const [kind, value] of keys) {
    const first = seen.get(`${kind}:${value}`);
    if (first) return `duplicate ${kind} "${value}" (first on ${first})`;
  }
  for (const [kind, value] of keys) seen.set(`${kind}:${value}`, record.ref);
  return undefined;
}
