import { z } from 'zod';

/**
 * Sign-in identifiers: usernames and email addresses, normalized once at the boundary so that
 * lookalikes cannot become two accounts (UTS #39 "mixed-script confusables", OWASP ASVS V2.1).
 */

export type IdentifierCheck = { ok: true; value: string } | { ok: false; code: string; message: string };

/** Identifiers longer than this are refused before any lookup (1 KiB bound on work per request). */
export const MAX_IDENTIFIER_LENGTH = 1024;
const USERNAME_MAX = 64;
const EMAIL_MAX = 254; // RFC 5321 §4.5.3.1.3 path limit

const SCRIPTS = ['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Devanagari', 'Thai', 'Georgian',
  'Hangul', 'Hiragana', 'Katakana', 'Han'] as const;
const SCRIPT_TESTS = SCRIPTS.map((script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')] as const);
/** Scripts that legitimately mix in one name (Japanese writes Han with kana; Korean Hangul with Han). */
const COMPATIBLE = [new Set(['Han', 'Hiragana', 'Katakana', 'Latin']), new Set(['Hangul', 'Han', 'Latin'])];

/** The scripts of the letters in a string (digits and punctuation belong to none). */
export function scriptsOf(value: string): Set<string> {
  const found = new Set<string>();
  for (const char of value) {
    if (!/\p{L}/u.test(char)) continue;
    const script = SCRIPT_TESTS.find(([, test]) => test.test(char))?.[0] ?? 'Other';
    found.add(script);
  }
  return found;
}

/** True when letters from scripts that do not normally mix appear together (`pаypal` with a Cyrillic а). */
export function isMixedScript(value: string): boolean {
  const scripts = scriptsOf(value);
  if (scripts.size <= 1) return false;
  return !COMPATIBLE.some((allowed) => [...scripts].every((script) => allowed.has(script)));
}

/** NFKC, lower case, trimmed: the form stored and compared (fullwidth `ａｌｉｃｅ` becomes `alice`). */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').trim().toLowerCase();
}

export function checkUsername(raw: string): IdentifierCheck {
  if (raw.length > MAX_IDENTIFIER_LENGTH) return tooLong();
  const value = normalizeUsername(raw);
  if (value.length < 2 || value.length > USERNAME_MAX) {
    return { ok: false, code: 'username.invalid_length', message: `Use 2 to ${USERNAME_MAX} characters.` };
  }
  if (!/^[\p{L}\p{N}._-]+$/u.test(value) || /^[._-]|[._-]$/.test(value)) {
    return { ok: false, code: 'username.invalid_characters', message: 'Use letters, digits, ".", "_" or "-", starting and ending with a letter or digit.' };
  }
  if (isMixedScript(value)) {
    return { ok: false, code: 'username.mixed_script', message: 'Use letters from one alphabet only: mixing alphabets makes names that look like others.' };
  }
  return { ok: true, value };
}

const EmailSchema = z.email();

/**
 * Emails keep their local part's case (RFC 5321 §2.4) but compare case-insensitively, as the
 * unique index does; the domain is lower-cased and the whole address NFKC-normalized.
 */
export function checkEmail(raw: string): IdentifierCheck {
  if (raw.length > MAX_IDENTIFIER_LENGTH) return tooLong();
  const trimmed = raw.normalize('NFKC').trim();
  const at = trimmed.lastIndexOf('@');
  const value = at > 0 ? `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}` : trimmed;
  if (value.length > EMAIL_MAX || !EmailSchema.safeParse(value).success) {
    return { ok: false, code: 'email.invalid', message: 'Enter a valid email address, like name@example.com.' };
  }
  if (isMixedScript(value.slice(0, value.lastIndexOf('@')))) {
    return { ok: false, code: 'email.mixed_script', message: 'Use letters from one alphabet only in the email address.' };
  }
  return { ok: true, value };
}

function tooLong(): IdentifierCheck {
  return { ok: false, code: 'identifier.too_long', message: `This is too long: at most ${MAX_IDENTIFIER_LENGTH} characters.` };
}
