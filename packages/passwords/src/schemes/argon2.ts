import { verify as argon2Verify } from '@node-rs/argon2';
import { COST_LIMITS } from '../limits.js';
import { costTooHigh, malformed } from '../password-hash-error.js';
import type { ParsedHash, Scheme } from '../scheme.js';
import type { SchemeId } from '../scheme-id.js';
import { parseDecimal } from '../encoding.js';

/** The parameters of a PHC argon2 string (https://github.com/P-H-C/phc-string-format). */
export interface Argon2Params {
  variant: 'argon2id' | 'argon2i' | 'argon2d';
  version: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

const PHC = /^\$(argon2id|argon2i|argon2d)\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Parses and bounds-checks a PHC argon2 string; throws PasswordHashError. */
export function parseArgon2(hash: string, label = 'argon2'): Argon2Params {
  const match = PHC.exec(hash);
  if (!match) throw malformed(label, 'expected $argon2{id,i,d}$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<digest>');
  const [, variant, v, m, t, p] = match;
  const version = v === undefined ? 0x10 : parseDecimal(v);
  const memoryCost = parseDecimal(m);
  const timeCost = parseDecimal(t);
  const parallelism = parseDecimal(p);
  if (version === undefined || memoryCost === undefined || timeCost === undefined || parallelism === undefined) {
    throw malformed(label, 'a parameter is not a decimal number');
  }
  if (version !== 0x10 && version !== 0x13) throw malformed(label, `unknown version ${version}`);
  if (timeCost < 1 || parallelism < 1 || memoryCost < 8 * parallelism) throw malformed(label, 'parameters below the argon2 minimums');
  if (memoryCost > COST_LIMITS.argon2MemoryKiB) throw costTooHigh(label, `m=${memoryCost} KiB exceeds ${COST_LIMITS.argon2MemoryKiB}`);
  if (timeCost > COST_LIMITS.argon2TimeCost) throw costTooHigh(label, `t=${timeCost} exceeds ${COST_LIMITS.argon2TimeCost}`);
  if (parallelism > COST_LIMITS.argon2Parallelism) throw costTooHigh(label, `p=${parallelism} exceeds ${COST_LIMITS.argon2Parallelism}`);
  return { variant: variant as Argon2Params['variant'], version, memoryCost, timeCost, parallelism };
}

function verifyPhc(phc: string, password: string): Promise<boolean> {
  return argon2Verify(phc, password).catch(() => false);
}

/** PHC argon2 as written by us, passlib (`passlib.hash.argon2`) and the reference CLI. */
function phcScheme(id: 'argon2id' | 'argon2i' | 'argon2d'): Scheme {
  return {
    id,
    madeFrom: 'nfkc',
    matches: (hash) => hash.startsWith(`$${id}$`),
    parse(hash): ParsedHash {
      parseArgon2(hash, id);
      return { scheme: id, verify: (password) => verifyPhc(hash, password) };
    },
  };
}

export const argon2idScheme = phcScheme('argon2id');
export const argon2iScheme = phcScheme('argon2i');
export const argon2dScheme = phcScheme('argon2d');

const DJANGO_PREFIX = 'argon2$';

/** Django's Argon2PasswordHasher: `argon2` + the PHC string (django/contrib/auth/hashers.py). */
export const argon2DjangoScheme: Scheme = {
  id: 'argon2-django' satisfies SchemeId,
  madeFrom: 'raw',
  matches: (hash) => hash.startsWith(`${DJANGO_PREFIX}argon2`),
  parse(hash) {
    const phc = hash.slice(DJANGO_PREFIX.length - 1);
    parseArgon2(phc, 'Django argon2');
    return { scheme: 'argon2-django', verify: (password) => verifyPhc(phc, password) };
  },
};
