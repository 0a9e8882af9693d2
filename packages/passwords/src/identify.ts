import { PasswordHashError } from './password-hash-error.js';
import { findScheme } from './registry.js';
import type { ParsedHash, Scheme } from './scheme.js';
import type { SchemeId } from './scheme-id.js';

/**
 * Recognises a hash's format from its shape (prefix and layout) only: it neither verifies nor
 * checks cost parameters, so a recognised hash may still be refused by `assertKnownHash`.
 * Returns `undefined` for anything unrecognised (and for non-strings).
 *
 * @example
 * ```ts
 * import { identify } from '@tessera/passwords';
 * identify('$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW'); // 'bcrypt'
 * identify('pbkdf2_sha256$600000$salt$digest=');                          // 'pbkdf2-sha256-django'
 * identify('md5:whatever');                                               // undefined
 * ```
 */
export function identify(hash: string): SchemeId | undefined {
  if (typeof hash !== 'string') return undefined;
  return findScheme(hash)?.id;
}

/** A hash that parsed, with the scheme that parsed it. */
export interface KnownHash {
  readonly scheme: Scheme;
  readonly parsed: ParsedHash;
}

/** Parses a hash fully; throws PasswordHashError. Internal to the package. */
export function parseHash(hash: string): KnownHash {
  const scheme = typeof hash === 'string' ? findScheme(hash) : undefined;
  if (!scheme) {
    throw new PasswordHashError(
      'password_hash.unknown_format',
      'Unknown password hash format: expected argon2, bcrypt, Django, passlib, scrypt, Firebase scrypt, ASP.NET Identity, PHPass or SHA-crypt (see docs/passwords.md).',
    );
  }
  return { scheme, parsed: scheme.parse(hash) };
}

/**
 * Checks that a hash is in a supported format, well formed and within the cost caps, and
 * returns its scheme. Use it when importing users, to refuse rows that could never verify.
 * Throws `PasswordHashError` with code `password_hash.unknown_format`, `password_hash.malformed`
 * or `password_hash.cost_too_high`; the message names the format and never echoes the digest.
 *
 * @example
 * ```ts
 * import { assertKnownHash } from '@tessera/passwords';
 * const scheme = assertKnownHash(row.password_hash); // e.g. 'bcrypt'
 * ```
 */
export function assertKnownHash(hash: string): SchemeId {
  return parseHash(hash).scheme.id;
}
