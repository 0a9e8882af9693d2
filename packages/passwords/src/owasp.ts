import type { Argon2Policy } from './password-context.js';

/**
 * The argon2id configurations the OWASP Password Storage Cheat Sheet lists as equally strong
 * (memory in KiB, passes, lanes): 46 MiB × 1, 19 MiB × 2 (the default, `OWASP_ARGON2ID`),
 * 12 MiB × 3, 9 MiB × 4, 7 MiB × 5.
 *
 * @example
 * ```ts
 * import { OWASP_ARGON2ID_CONFIGURATIONS } from '@tessera/passwords';
 * console.log(OWASP_ARGON2ID_CONFIGURATIONS[0]); // { memoryCost: 47104, timeCost: 1, parallelism: 1 }
 * ```
 */
export const OWASP_ARGON2ID_CONFIGURATIONS: ReadonlyArray<Readonly<Argon2Policy>> = Object.freeze(
  [
    { memoryCost: 47104, timeCost: 1, parallelism: 1 },
    { memoryCost: 19456, timeCost: 2, parallelism: 1 },
    { memoryCost: 12288, timeCost: 3, parallelism: 1 },
    { memoryCost: 9216, timeCost: 4, parallelism: 1 },
    { memoryCost: 7168, timeCost: 5, parallelism: 1 },
  ].map((configuration) => Object.freeze(configuration)),
);

/**
 * True when a policy is at least as strong as one of OWASP's configurations: at least its memory
 * and at least its passes (more lanes split the same memory, so they neither add nor remove).
 *
 * @example
 * ```ts
 * import { meetsOwaspArgon2id } from '@tessera/passwords';
 * meetsOwaspArgon2id({ memoryCost: 65536, timeCost: 3, parallelism: 4 }); // true
 * meetsOwaspArgon2id({ memoryCost: 4096, timeCost: 3, parallelism: 1 }); // false
 * ```
 */
export function meetsOwaspArgon2id(policy: Readonly<Argon2Policy>): boolean {
  return OWASP_ARGON2ID_CONFIGURATIONS.some((owasp) => policy.memoryCost >= owasp.memoryCost && policy.timeCost >= owasp.timeCost);
}
