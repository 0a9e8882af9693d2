import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { parseHash } from './identify.js';
import { COST_LIMITS, MAX_PASSWORD_BYTES } from './limits.js';
import { candidateForms, normalizePassword, type Normalization } from './normalize.js';
import { PasswordHashError } from './password-hash-error.js';
import { parseArgon2 } from './schemes/argon2.js';

/**
 * argon2id cost parameters (memory in KiB).
 *
 * @example
 * ```ts
 * import type { Argon2Policy } from '@tessera/passwords';
 * const owaspAlternative: Argon2Policy = { memoryCost: 12288, timeCost: 3, parallelism: 1 };
 * ```
 */
export interface Argon2Policy {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/**
 * What `createPasswordContext` accepts; every field is optional.
 *
 * @example
 * ```ts
 * import { createPasswordContext, type PasswordPolicy } from '@tessera/passwords';
 * const policy: PasswordPolicy = { argon2: { memoryCost: 47104, timeCost: 1 }, normalize: 'NFKC' };
 * const passwords = createPasswordContext(policy);
 * ```
 */
export interface PasswordPolicy {
  argon2?: Partial<Argon2Policy>;
  /** `'NFKC'` (default, NIST SP 800-63B §5.1.1.2) or `'none'` to hash passwords exactly as typed. */
  normalize?: Normalization;
}

/**
 * OWASP Password Storage Cheat Sheet, argon2id, first listed configuration:
 * m=19456 KiB (19 MiB), t=2, p=1.
 *
 * @example
 * ```ts
 * import { createPasswordContext, OWASP_ARGON2ID } from '@tessera/passwords';
 * const stronger = createPasswordContext({ argon2: { ...OWASP_ARGON2ID, memoryCost: 47104, timeCost: 1 } });
 * ```
 */
export const OWASP_ARGON2ID: Readonly<Argon2Policy> = Object.freeze({ memoryCost: 19456, timeCost: 2, parallelism: 1 });

/**
 * Hashes new passwords with the policy, verifies every supported format, upgrades old hashes.
 *
 * @example
 * ```ts
 * import { createPasswordContext, type PasswordContext } from '@tessera/passwords';
 * const passwords: PasswordContext = createPasswordContext();
 * const ok = await passwords.verify(input, user.passwordHash);
 * ```
 */
export interface PasswordContext {
  /** argon2id of the (NFKC-normalised) password, as a PHC string. Throws on a password over MAX_PASSWORD_BYTES. */
  hash(password: string): Promise<string>;
  /** True when the password matches; false for a wrong password and for an unknown, malformed or over-cost hash. Never throws. */
  verify(password: string, hash: string): Promise<boolean>;
  /** True unless the hash is argon2id (v1.3) with m, t and p at least the policy's. */
  needsRehash(hash: string): boolean;
  /** passlib's verify_and_update: verifies and, when the hash should be replaced, returns the replacement. */
  verifyAndUpdate(password: string, hash: string): Promise<{ valid: boolean; newHash?: string }>;
  /** Spends one verification's time and returns false, for sign-ins naming no account (no user enumeration, OWASP ASVS V2.2). */
  verifyNothing(password: string): Promise<false>;
}

/**
 * Why `createPasswordContext` would refuse an argon2 policy (outside argon2's minimums or
 * COST_LIMITS), or undefined when it is usable.
 *
 * @example
 * ```ts
 * import { argon2PolicyProblem } from '@tessera/passwords';
 * argon2PolicyProblem({ memoryCost: 19456, timeCost: 0, parallelism: 1 }); // 'out of range: need integers …'
 * ```
 */
export function argon2PolicyProblem(policy: Readonly<Argon2Policy>): string | undefined {
  const within = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;
  if (
    within(policy.parallelism, 1, COST_LIMITS.argon2Parallelism) &&
    within(policy.timeCost, 1, COST_LIMITS.argon2TimeCost) &&
    within(policy.memoryCost, 8 * policy.parallelism, COST_LIMITS.argon2MemoryKiB)
  ) {
    return undefined;
  }
  return `out of range: need integers 1 ≤ p ≤ ${COST_LIMITS.argon2Parallelism}, 1 ≤ t ≤ ${COST_LIMITS.argon2TimeCost}, 8·p ≤ m ≤ ${COST_LIMITS.argon2MemoryKiB} KiB`;
}

function resolveArgon2(input: Partial<Argon2Policy> | undefined): Argon2Policy {
  const policy = { ...OWASP_ARGON2ID, ...input };
  const problem = argon2PolicyProblem(policy);
  if (problem) throw new RangeError(`argon2 policy ${problem}`);
  return policy;
}

const tooLong = (password: string) => Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES;

/**
 * Creates a password context, the equivalent of passlib's `CryptContext(schemes=[argon2, ...],
 * deprecated='auto')`: new hashes use argon2id with the policy (OWASP defaults), every
 * supported legacy format verifies, and `verifyAndUpdate` hands back an argon2id replacement
 * for anything weaker. See docs/passwords.md for the normalization rule.
 *
 * @example
 * ```ts
 * import { createPasswordContext } from '@tessera/passwords';
 * const passwords = createPasswordContext();
 * const stored = await passwords.hash('correct horse battery staple');
 * await passwords.verify('correct horse battery staple', stored); // true
 * const { valid, newHash } = await passwords.verifyAndUpdate(input, legacyBcryptHash);
 * if (valid && newHash) await users.updatePasswordHash(userId, newHash);
 * ```
 */
export function createPasswordContext(policy: PasswordPolicy = {}): PasswordContext {
  const argon2 = resolveArgon2(policy.argon2);
  const normalization: Normalization = policy.normalize ?? 'NFKC';
  if (normalization !== 'NFKC' && normalization !== 'none') throw new RangeError(`normalize must be 'NFKC' or 'none'`);
  const options = { algorithm: 2 as Algorithm /* Argon2id; a const enum */, ...argon2 };
  let dummy: Promise<string> | undefined;

  const hash = (password: string): Promise<string> => {
    if (tooLong(password)) {
      return Promise.reject(new PasswordHashError('password_hash.password_too_long', `Passwords are limited to ${MAX_PASSWORD_BYTES} UTF-8 bytes.`));
    }
    return argon2Hash(normalizePassword(password, normalization), options);
  };

  /** Returns the form of the password that matched, or undefined. */
  async function match(password: string, stored: string): Promise<string | undefined> {
    if (typeof password !== 'string' || tooLong(password)) return spendDummy();
    let known;
    try {
      known = parseHash(stored);
    } catch {
      // An unusable hash costs the same time as a wrong password: timing reveals nothing.
      return spendDummy(password);
    }
    for (const form of candidateForms(password, known.scheme.madeFrom, normalization)) {
      if (await known.parsed.verify(form).catch(() => false)) return form;
    }
    return undefined;
  }

  async function spendDummy(password = ''): Promise<undefined> {
    dummy ??= argon2Hash(randomBytes(16).toString('hex'), options);
    const stored = await dummy;
    // The same forms a real argon2id record would be tried with, so the time matches.
    for (const form of candidateForms(password, 'nfkc', normalization)) await argon2Verify(stored, form).catch(() => false);
    return undefined;
  }

  function needsRehash(stored: string): boolean {
    if (typeof stored !== 'string' || !stored.startsWith('$argon2id$')) return true;
    try {
      const params = parseArgon2(stored, 'argon2id');
      return (
        params.version !== 0x13 ||
        params.memoryCost < argon2.memoryCost ||
        params.timeCost < argon2.timeCost ||
        params.parallelism < argon2.parallelism
      );
    } catch {
      return true;
    }
  }

  return {
    hash,
    needsRehash,
    verify: async (password, stored) => (await match(password, stored)) !== undefined,
    async verifyAndUpdate(password, stored) {
      const form = await match(password, stored);
      if (form === undefined) return { valid: false };
      // Rehash weaker schemes, and hashes that only matched the un-normalised password.
      const stale = needsRehash(stored) || form !== normalizePassword(password, normalization);
      return stale ? { valid: true, newHash: await hash(password) } : { valid: true };
    },
    async verifyNothing(password) {
      await spendDummy(typeof password === 'string' && !tooLong(password) ? password : '');
      return false;
    },
  };
}
