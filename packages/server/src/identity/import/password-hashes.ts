import { assertKnownHash, firebaseScryptHash } from '@tessera/passwords';

/**
 * The one place the import reaches into @tessera/passwords: hashes are stored as they are
 * (no hashing work at import) and upgraded to argon2id by the server at the next sign-in.
 */

/** Why a hash would not verify at sign-in, or undefined when its format is known. */
export function unknownHashReason(hash: string): string | undefined {
  try {
    assertKnownHash(hash);
    return undefined;
  } catch (error) {
    return `password_hash: ${(error as Error).message}`;
  }
}

/** The hash config `firebase auth:export` prints for a project (base64 key and separator). */
export interface FirebaseHashParams {
  signerKey: string;
  saltSeparator: string;
  rounds: number;
  memCost: number;
}

/** One self-contained string for a Firebase scrypt user: its hash and salt plus the project's parameters. */
export function firebaseHashString(user: { passwordHash: string; salt: string }, params: FirebaseHashParams): string {
  return firebaseScryptHash({ passwordHash: user.passwordHash, salt: user.salt, ...params });
}

const PBKDF2_DIGEST_BYTES: Record<string, [ident: string, bytes: number]> = {
  sha1: ['pbkdf2', 20], sha256: ['pbkdf2-sha256', 32], sha512: ['pbkdf2-sha512', 64],
};

/**
 * Auth0 exports PBKDF2 as a PHC string, `$pbkdf2-sha512$i=100000,l=64$<salt>$<hash>` in
 * unpadded base64; @tessera/passwords reads the passlib layout of the same algorithm,
 * `$pbkdf2-sha512$100000$<salt>$<hash>` in "adapted base64" ('.' for '+'). Converts one to the
 * other when the key is one digest long (as passlib requires); returns anything else unchanged,
 * for assertKnownHash to judge.
 */
export function auth0Pbkdf2ToPasslib(value: string): string {
  const match = /^\$pbkdf2-(sha1|sha256|sha512)\$i=(\d+)(?:,l=(\d+))?\$([A-Za-z0-9+/]+)=*\$([A-Za-z0-9+/]+)=*$/.exec(value);
  if (!match) return value;
  const [, digest = '', iterations, keyLength, salt = '', hash = ''] = match;
  const [ident, bytes] = PBKDF2_DIGEST_BYTES[digest] ?? ['', 0];
  if (keyLength !== undefined && Number(keyLength) !== bytes) return value;
  const ab64 = (text: string) => text.replaceAll('+', '.');
  return `$${ident}$${iterations}$${ab64(salt)}$${ab64(hash)}`;
}
