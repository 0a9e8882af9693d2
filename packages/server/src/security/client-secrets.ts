import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Generated client secrets look like GitHub's tokens (the secret scanning partner format):
 * a fixed prefix, a random base62 body and a base62 CRC32 of the body, so a scanner can tell
 * a real Tessera secret from a random lookalike without asking Tessera (docs/client-secrets.md).
 *
 *   tsr_ + 37 base62 characters (≈ 220 bits) + 6 base62 characters of CRC32(body)
 */
export const SECRET_PREFIX = 'tsr_';
export const SECRET_BODY_LENGTH = 37;
export const SECRET_CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SECRET_LENGTH = SECRET_PREFIX.length + SECRET_BODY_LENGTH + SECRET_CHECKSUM_LENGTH;

/**
 * What a scanner should look for (global: use with `matchAll`). Only candidates: confirm each
 * with `checkSecretChecksum`.
 *
 * @example [...text.matchAll(SECRET_PATTERN)].filter((m) => isWellFormedSecret(m[0]))
 */
export const SECRET_PATTERN = /\btsr_[0-9A-Za-z]{43}\b/g;

/**
 * Client secrets are high-entropy random strings, so SHA-256 is the right storage hash:
 * a password hash (argon2, bcrypt) would cap token issuance at a few hundred per second
 * and buys nothing against guessing a 220-bit value (OWASP ASVS 2.9 / 6.4).
 */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret against stored hashes (ASVS 2.9.1). */
export function matchesClientSecret(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashClientSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A new random secret in the format above. `randomInt` draws each character uniformly from
 * the CSPRNG (no modulo bias).
 *
 * @example generateClientSecret() // 'tsr_4Qv…' (47 characters)
 */
export function generateClientSecret(): string {
  let body = '';
  for (let i = 0; i < SECRET_BODY_LENGTH; i++) body += BASE62[randomInt(62)];
  return `${SECRET_PREFIX}${body}${secretChecksum(body)}`;
}

/** Base62 of the CRC32 (IEEE) of the UTF-8 body, 6 digits, most significant first, zero-padded. */
export function secretChecksum(body: string): string {
  let value = crc32(body);
  let digits = '';
  for (let i = 0; i < SECRET_CHECKSUM_LENGTH; i++) {
    digits = BASE62[value % 62] + digits;
    value = Math.floor(value / 62);
  }
  return digits;
}

export type SecretCheckReason = 'ok' | 'missing_prefix' | 'wrong_length' | 'invalid_character' | 'checksum_mismatch';

export interface SecretCheck {
  valid: boolean;
  reason: SecretCheckReason;
}

/** One line for each reason, for the CLI and logs. */
export const SECRET_CHECK_MESSAGES: Record<SecretCheckReason, string> = {
  ok: 'a well-formed Tessera client secret (checksum valid)',
  missing_prefix: `not a Tessera client secret: it does not start with "${SECRET_PREFIX}"`,
  wrong_length: `not a Tessera client secret: expected ${SECRET_LENGTH} characters`,
  invalid_character: 'not a Tessera client secret: only letters and digits may follow the prefix',
  checksum_mismatch: 'not a Tessera client secret: the checksum does not match (mistyped, truncated or made up)',
};

/**
 * Validates a secret's format and checksum offline: says whether a string is a secret Tessera
 * generated (intact), not whether it is still registered. Secrets generated before the checksum
 * format (base64url bodies) report `invalid_character` or `checksum_mismatch`.
 *
 * @example checkSecretChecksum('tsr_abc') // { valid: false, reason: 'wrong_length' }
 */
export function checkSecretChecksum(candidate: string): SecretCheck {
  if (!candidate.startsWith(SECRET_PREFIX)) return { valid: false, reason: 'missing_prefix' };
  if (candidate.length !== SECRET_LENGTH) return { valid: false, reason: 'wrong_length' };
  const rest = candidate.slice(SECRET_PREFIX.length);
  if (!/^[0-9A-Za-z]+$/.test(rest)) return { valid: false, reason: 'invalid_character' };
  const body = rest.slice(0, SECRET_BODY_LENGTH);
  const expected = Buffer.from(secretChecksum(body));
  const given = Buffer.from(rest.slice(SECRET_BODY_LENGTH));
  // The checksum is derived from the secret itself: compare it in constant time all the same.
  return timingSafeEqual(expected, given) ? { valid: true, reason: 'ok' } : { valid: false, reason: 'checksum_mismatch' };
}

/** True when `candidate` has the generated format and an intact checksum. */
export function isWellFormedSecret(candidate: string): boolean {
  return checkSecretChecksum(candidate).valid;
}

/** What admins see instead of a secret: its last four characters. */
export function secretHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}

/** A secret shown without revealing it: prefix, first and last four characters (`tsr_abcd…wxyz`). */
export function maskSecret(secret: string): string {
  const start = secret.startsWith(SECRET_PREFIX) ? SECRET_PREFIX.length : 0;
  return `${secret.slice(0, start + 4)}…${secret.slice(-4)}`;
}
