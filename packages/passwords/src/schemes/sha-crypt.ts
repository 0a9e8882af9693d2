import { encrypt } from 'unixcrypt';
import { digestsEqual } from '../compare.js';
import { parseDecimal } from '../encoding.js';
import { COST_LIMITS } from '../limits.js';
import { costTooHigh, malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import type { SchemeId } from '../scheme-id.js';
import { encryptOffThread } from './off-thread.js';

/** Up to this many rounds (~0.1 s) run inline; more run in a worker thread (see off-thread.ts). */
const INLINE_ROUNDS = 100_000;
const UNIXCRYPT_URL = import.meta.resolve('unixcrypt');

function shaCryptEncrypt(password: string, setting: string, rounds: number): Promise<string> {
  return rounds <= INLINE_ROUNDS ? Promise.resolve(encrypt(password, setting)) : encryptOffThread(UNIXCRYPT_URL, password, setting);
}

/**
 * SHA-crypt (Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512", glibc; passlib.hash
 * sha256_crypt / sha512_crypt): `$5$` or `$6$`, optional `rounds=<n>$` (default 5000),
 * up to 16 salt characters, then 43 ($5$) or 86 ($6$) characters of digest.
 * Computed by the `unixcrypt` package.
 */
function shaCrypt(id: SchemeId, ident: '5' | '6', digestChars: number): Scheme {
  const label = `sha-crypt $${ident}$`;
  const format = new RegExp(`^\\$${ident}\\$(?:rounds=(\\d+)\\$)?([./0-9A-Za-z]{1,16})\\$[./0-9A-Za-z]{${digestChars}}$`);
  return {
    id,
    madeFrom: 'raw',
    matches: (hash) => hash.startsWith(`$${ident}$`),
    parse(hash) {
      const match = format.exec(hash);
      if (!match) throw malformed(label, `expected $${ident}$[rounds=<n>$]<salt, 1-16 chars>$<${digestChars}-char digest>`);
      let rounds = 5000;
      if (match[1] !== undefined) {
        rounds = parseDecimal(match[1]) ?? 0;
        // glibc clamps rounds below 1000 up; such a hash would never re-encode to itself.
        if (rounds < 1000) throw malformed(label, 'rounds must be a decimal number of at least 1000');
        if (rounds > COST_LIMITS.shaCryptRounds) throw costTooHigh(label, `${rounds} rounds exceed ${COST_LIMITS.shaCryptRounds}`);
      }
      const setting = hash.slice(0, hash.lastIndexOf('$'));
      const expected = Buffer.from(hash, 'latin1');
      return {
        scheme: id,
        verify: async (password) => digestsEqual(Buffer.from(await shaCryptEncrypt(password, setting, rounds), 'latin1'), expected),
      };
    },
  };
}

export const sha256CryptScheme = shaCrypt('sha256-crypt', '5', 43);
export const sha512CryptScheme = shaCrypt('sha512-crypt', '6', 86);
