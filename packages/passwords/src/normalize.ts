import type { PasswordForm } from './scheme.js';

/**
 * How `hash` prepares a password: NFKC (NIST SP 800-63B §5.1.1.2) or exactly as typed.
 *
 * @example
 * ```ts
 * import { createPasswordContext, type Normalization } from '@tessera/passwords';
 * const normalize: Normalization = 'NFKC';
 * createPasswordContext({ normalize });
 * ```
 */
export type Normalization = 'NFKC' | 'none';

/** The form new hashes are made from. */
export function normalizePassword(password: string, normalization: Normalization): string {
  return normalization === 'NFKC' ? password.normalize('NFKC') : password;
}

/**
 * The forms to try against a stored hash, most likely first: the form the scheme's hashes were
 * made from, then (only when it differs) the other one. Legacy systems hashed the password as
 * typed; ours hash its NFKC form; passlib argon2 hashes look like ours, so both are tried.
 */
export function candidateForms(password: string, madeFrom: PasswordForm, normalization: Normalization): string[] {
  if (normalization === 'none') return [password];
  const nfkc = password.normalize('NFKC');
  if (nfkc === password) return [password];
  return madeFrom === 'nfkc' ? [nfkc, password] : [password, nfkc];
}
