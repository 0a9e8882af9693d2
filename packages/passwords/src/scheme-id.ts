/**
 * Stable identifiers of every hash format this package recognises. They name the format (who
 * writes it), not only the algorithm, because the same algorithm is framed differently by
 * Django, passlib and others. Never renamed; new formats only ever add ids.
 *
 * @example
 * ```ts
 * import type { SchemeId } from '@tessera/passwords';
 * const legacy: SchemeId = 'pbkdf2-sha256-django';
 * ```
 */
export type SchemeId =
  | 'argon2id'
  | 'argon2i'
  | 'argon2d'
  | 'argon2-django'
  | 'bcrypt'
  | 'bcrypt-django'
  | 'bcrypt-sha256-django'
  | 'pbkdf2-sha256-django'
  | 'pbkdf2-sha1-django'
  | 'pbkdf2-sha256-passlib'
  | 'pbkdf2-sha512-passlib'
  | 'pbkdf2-sha1-passlib'
  | 'scrypt-passlib'
  | 'firebase-scrypt'
  | 'aspnet-identity-v3'
  | 'aspnet-identity-v2'
  | 'phpass'
  | 'sha256-crypt'
  | 'sha512-crypt';

/**
 * Every {@link SchemeId}, in the order `identify` tries them.
 *
 * @example
 * ```ts
 * import { SCHEME_IDS } from '@tessera/passwords';
 * console.log(SCHEME_IDS.includes('phpass')); // true
 * ```
 */
export const SCHEME_IDS: readonly SchemeId[] = [
  'argon2id',
  'argon2i',
  'argon2d',
  'argon2-django',
  'bcrypt',
  'bcrypt-django',
  'bcrypt-sha256-django',
  'pbkdf2-sha256-django',
  'pbkdf2-sha1-django',
  'pbkdf2-sha256-passlib',
  'pbkdf2-sha512-passlib',
  'pbkdf2-sha1-passlib',
  'scrypt-passlib',
  'firebase-scrypt',
  'aspnet-identity-v3',
  'aspnet-identity-v2',
  'phpass',
  'sha256-crypt',
  'sha512-crypt',
];
