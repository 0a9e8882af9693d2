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
  return firebaseScryptHash({ hash: user.passwordHash, salt: user.salt, ...params });
}
