import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with OWASP's first recommended parameter set (Password Storage Cheat Sheet:
 * m=19 MiB, t=2, p=1). Hashing runs on libuv's threadpool; size UV_THREADPOOL_SIZE to the cores.
 */
const OWASP = { algorithm: 2 /* Algorithm.Argon2id (a const enum) */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the time of one verification when no account matched, so timing reveals nothing (ASVS 2.2.x, no user enumeration). */
  verifyNothing(password: string): Promise<false>;
}

export function createPasswordHasher(): PasswordHasher {
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password.normalize('NFKC'), OWASP),
    async verify(stored, password) {
      if (!stored.startsWith('$argon2')) return false;
      try {
        return await verify(stored, password.normalize('NFKC'));
      } catch {
        return false;
      }
    },
    async verifyNothing(password) {
      dummy ??= hash('tessera-no-such-account', OWASP);
      await verify(await dummy, password.normalize('NFKC')).catch(() => false);
      return false;
    },
  };
}

