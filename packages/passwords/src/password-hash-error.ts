/**
 * Why a hash (or a password) was refused:
 * - `password_hash.unknown_format`: no supported scheme recognises the string;
 * - `password_hash.malformed`: a scheme recognises the prefix but the rest does not parse;
 * - `password_hash.cost_too_high`: the hash parses but asks for more work than the caps in
 *   `COST_LIMITS` allow (an imported hash must not be a CPU or memory exhaustion weapon);
 * - `password_hash.password_too_long`: the password exceeds `MAX_PASSWORD_BYTES`
 *   (OWASP Authentication Cheat Sheet: limit length to prevent long-password denial of service).
 *
 * @example
 * ```ts
 * import type { PasswordHashErrorCode } from '@tessera/passwords';
 * const rejectable: PasswordHashErrorCode[] = ['password_hash.unknown_format', 'password_hash.malformed'];
 * ```
 */
export type PasswordHashErrorCode =
  | 'password_hash.unknown_format'
  | 'password_hash.malformed'
  | 'password_hash.cost_too_high'
  | 'password_hash.password_too_long';

/**
 * Thrown by the assert-style helpers (`assertKnownHash`, `hash` for an over-long password,
 * `firebaseScryptHash`). `verify` never throws it: a bad hash simply does not verify.
 * Messages never contain the password or the hash's digest.
 *
 * @example
 * ```ts
 * import { assertKnownHash, PasswordHashError } from '@tessera/passwords';
 * try {
 *   assertKnownHash('md5:0123');
 * } catch (error) {
 *   if (error instanceof PasswordHashError) console.log(error.code); // 'password_hash.unknown_format'
 * }
 * ```
 */
export class PasswordHashError extends Error {
  override readonly name = 'PasswordHashError';
  readonly code: PasswordHashErrorCode;

  constructor(code: PasswordHashErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Shorthand used by the scheme parsers. */
export function malformed(scheme: string, detail: string): PasswordHashError {
  return new PasswordHashError('password_hash.malformed', `Malformed ${scheme} hash: ${detail}.`);
}

/** Shorthand used by the scheme parsers when a cost parameter exceeds its cap. */
export function costTooHigh(scheme: string, detail: string): PasswordHashError {
  return new PasswordHashError('password_hash.cost_too_high', `The ${scheme} hash asks for too much work: ${detail}.`);
}
