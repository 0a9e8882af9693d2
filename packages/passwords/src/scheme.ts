import type { SchemeId } from './scheme-id.js';

/**
 * Which form of the password a scheme's hashes were made from, so `verify` tries that form first
 * (see docs/passwords.md, "Normalization"): our own argon2 hashes hash the NFKC form
 * (NIST SP 800-63B §5.1.1.2); hashes imported from other systems hash the password as typed.
 */
export type PasswordForm = 'nfkc' | 'raw';

/** A hash that parsed: its parameters are within the caps and it can be checked. */
export interface ParsedHash {
  readonly scheme: SchemeId;
  verify(password: string): Promise<boolean>;
}

/** One hash format. Internal contract; every implementation is listed in `registry.ts`. */
export interface Scheme {
  readonly id: SchemeId;
  readonly madeFrom: PasswordForm;
  /** Cheap shape check used by `identify`: no decoding, no cost checks. */
  matches(hash: string): boolean;
  /** Full parse; throws `PasswordHashError` (malformed or cost too high). */
  parse(hash: string): ParsedHash;
}
