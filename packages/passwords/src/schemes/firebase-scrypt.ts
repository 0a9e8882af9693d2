import { createCipheriv } from 'node:crypto';
import { digestsEqual } from '../compare.js';
import { decodeAnyBase64, decodeBase64, parseDecimal } from '../encoding.js';
import { malformed, PasswordHashError } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import { checkScryptParams, scryptAsync } from './scrypt.js';

const LABEL = 'Firebase scrypt';
const B64 = '([A-Za-z0-9+/]*={0,2})';
const FORMAT = new RegExp(`^\\$firebase-scrypt\\$v=1,ln=(\\d+),r=(\\d+)\\$${B64}\\$${B64}\\$${B64}\\$${B64}$`);

/**
 * Firebase Authentication's modified scrypt (https://github.com/firebase/scrypt):
 * key = scrypt(password, salt ‖ saltSeparator, N = 2^memCost, r = rounds, p = 1, 64 bytes);
 * hash = AES-256-CTR(key[0..32], IV = 16 zero bytes, signerKey).
 * Stored as one string (our encoding, see docs/passwords.md):
 * `$firebase-scrypt$v=1,ln=<memCost>,r=<rounds>$<salt>$<saltSeparator>$<signerKey>$<passwordHash>`,
 * every field in padded standard base64 (which never contains `$`).
 */
export const firebaseScryptScheme: Scheme = {
  id: 'firebase-scrypt',
  madeFrom: 'raw',
  matches: (hash) => hash.startsWith('$firebase-scrypt$'),
  parse(hash) {
    const match = FORMAT.exec(hash);
    if (!match) throw malformed(LABEL, 'expected $firebase-scrypt$v=1,ln=<memCost>,r=<rounds>$<salt>$<saltSeparator>$<signerKey>$<hash>');
    const [logN, r] = [parseDecimal(match[1]), parseDecimal(match[2])];
    const [salt, separator, signerKey, expected] = [match[3], match[4], match[5], match[6]].map((field) => decodeBase64(field ?? ''));
    if (logN === undefined || r === undefined) throw malformed(LABEL, 'a parameter is not a decimal number');
    if (!salt || !separator || !signerKey || !expected || expected.length !== signerKey.length || expected.length === 0) {
      throw malformed(LABEL, 'a field is not valid base64, or the hash and signer key differ in length');
    }
    const params = { logN, r, p: 1 };
    checkScryptParams(LABEL, params);
    const fullSalt = Buffer.concat([salt, separator]);
    return {
      scheme: 'firebase-scrypt',
      async verify(password) {
        const key = await scryptAsync(password, fullSalt, 64, params);
        const cipher = createCipheriv('aes-256-ctr', key.subarray(0, 32), Buffer.alloc(16));
        return digestsEqual(Buffer.concat([cipher.update(signerKey), cipher.final()]), expected);
      },
    };
  },
};

/**
 * One user's Firebase scrypt hash with the project's hash parameters, as `firebase auth:export`
 * and the console give them.
 *
 * @example
 * ```ts
 * import type { FirebaseScryptInput } from '@tessera/passwords';
 * const input: FirebaseScryptInput = { passwordHash, salt, saltSeparator: 'Bw==', signerKey, rounds: 8, memCost: 14 };
 * ```
 */
export interface FirebaseScryptInput {
  /** The user's `passwordHash` (base64, standard or URL-safe). */
  passwordHash: string;
  /** The user's `salt` (base64). */
  salt: string;
  /** The project's `base64_salt_separator`. */
  saltSeparator: string;
  /** The project's `base64_signer_key`. */
  signerKey: string;
  /** The project's `rounds` (scrypt r), usually 8. */
  rounds: number;
  /** The project's `mem_cost` (log2 of scrypt N), usually 14. */
  memCost: number;
}

/**
 * Builds the single-string encoding of a Firebase scrypt hash, so an exported Firebase (or
 * Identity Platform) user can be stored like any other hash. Throws `PasswordHashError`
 * (`password_hash.malformed` / `password_hash.cost_too_high`) on invalid input.
 *
 * @example
 * ```ts
 * import { firebaseScryptHash } from '@tessera/passwords';
 * const stored = firebaseScryptHash({
 *   passwordHash: user.passwordHash, salt: user.salt,                  // from auth:export
 *   signerKey: config.base64_signer_key, saltSeparator: config.base64_salt_separator,
 *   rounds: 8, memCost: 14,                                            // project hash parameters
 * });
 * // '$firebase-scrypt$v=1,ln=14,r=8$42xEC+ixf3L2lw==$Bw==$jxspr8…$lSrfV15c…'
 * ```
 */
export function firebaseScryptHash(input: FirebaseScryptInput): string {
  const fields = [input.salt, input.saltSeparator, input.signerKey, input.passwordHash].map((field) =>
    typeof field === 'string' ? decodeAnyBase64(field.trim()) : undefined,
  );
  if (fields.some((field) => field === undefined)) {
    throw new PasswordHashError('password_hash.malformed', `Malformed ${LABEL} input: passwordHash, salt, saltSeparator and signerKey must be base64.`);
  }
  if (!Number.isInteger(input.rounds) || !Number.isInteger(input.memCost)) {
    throw new PasswordHashError('password_hash.malformed', `Malformed ${LABEL} input: rounds and memCost must be integers.`);
  }
  const encoded = fields.map((field) => (field as Buffer).toString('base64')).join('$');
  const hash = `$firebase-scrypt$v=1,ln=${input.memCost},r=${input.rounds}$${encoded}`;
  firebaseScryptScheme.parse(hash);
  return hash;
}
