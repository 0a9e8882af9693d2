import { argon2PolicyProblem, meetsOwaspArgon2id, OWASP_ARGON2ID, type Argon2Policy } from '@tessera/passwords';
import { z } from 'zod';

const NAMES = { m: 'memoryCost', t: 'timeCost', p: 'parallelism' } as const;
const FORMAT = /^[mtp]=\d{1,9}(?:,[mtp]=\d{1,9}){0,2}$/;

/**
 * TESSERA_ARGON2: the argon2id cost of new password hashes, written as in a PHC string,
 * `m=KiB,t=passes,p=lanes` (e.g. `m=47104,t=1,p=1`); a part left out keeps OWASP's default
 * (m=19456, t=2, p=1). Stored hashes weaker than it are re-hashed at the next sign-in.
 */
export const Argon2SettingSchema = z
  .string()
  .optional()
  .transform((value, ctx): Argon2Policy => {
    if (value === undefined || value.trim() === '') return { ...OWASP_ARGON2ID };
    const text = value.replaceAll(' ', '');
    const pairs = FORMAT.test(text) ? text.split(',').map((pair) => pair.split('=') as [keyof typeof NAMES, string]) : [];
    if (pairs.length === 0 || new Set(pairs.map(([key]) => key)).size !== pairs.length) {
      ctx.addIssue({ code: 'custom', message: 'must look like m=19456,t=2,p=1 (memory in KiB, passes, lanes; each at most once)' });
      return z.NEVER;
    }
    const policy: Argon2Policy = { ...OWASP_ARGON2ID };
    for (const [key, number] of pairs) policy[NAMES[key]] = Number(number);
    const problem = argon2PolicyProblem(policy);
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return policy;
  });

export const formatArgon2 = ({ memoryCost, timeCost, parallelism }: Argon2Policy) => `m=${memoryCost},t=${timeCost},p=${parallelism}`;

/**
 * Why a cost is refused in production and warned about elsewhere: below every configuration the
 * OWASP Password Storage Cheat Sheet lists (OWASP ASVS 4.0 V2.4.4), or undefined when it is not.
 */
export function weakArgon2Reason(policy: Argon2Policy): string | undefined {
  if (meetsOwaspArgon2id(policy)) return undefined;
  return `TESSERA_ARGON2=${formatArgon2(policy)} is weaker than every argon2id configuration OWASP recommends (e.g. m=47104,t=1 or m=19456,t=2); new password hashes are cheaper to crack offline. Use it only for tests and benchmarks.`;
}
