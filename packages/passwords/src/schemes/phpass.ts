import { createHash } from 'node:crypto';
import { digestsEqual } from '../compare.js';
import { COST_LIMITS } from '../limits.js';
import { costTooHigh, malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';

/**
 * PHPass portable hashes (WordPress, phpBB, Drupal 7 imports; passlib.hash.phpass):
 * `$P$` (or phpBB's `$H$`), one itoa64 character giving log2 of the iteration count, an
 * 8-character salt and 22 characters of itoa64-encoded MD5. Algorithm (PasswordHash.php,
 * crypt_private): h = md5(salt ‖ password); repeat 2^n times h = md5(h ‖ password).
 */
const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const FORMAT = /^\$[PH]\$[./0-9A-Za-z]{31}$/;
const LABEL = 'PHPass';
/** Iterations between yields to the event loop, so a long verification does not stall others. */
const CHUNK = 4096;

/** PHPass's encode64: little-endian 6-bit groups, as in PasswordHash.php. */
function encode64(input: Buffer): string {
  let output = '';
  for (let i = 0; i < input.length; i += 3) {
    let value = input[i] ?? 0;
    output += ITOA64[value & 0x3f];
    if (i + 1 < input.length) value |= (input[i + 1] ?? 0) << 8;
    output += ITOA64[(value >> 6) & 0x3f];
    if (i + 1 >= input.length) break;
    if (i + 2 < input.length) value |= (input[i + 2] ?? 0) << 16;
    output += ITOA64[(value >> 12) & 0x3f];
    if (i + 2 >= input.length) break;
    output += ITOA64[(value >> 18) & 0x3f];
  }
  return output;
}

const md5 = (...parts: Buffer[]) => createHash('md5').update(Buffer.concat(parts)).digest();
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function phpassDigest(password: string, salt: string, logRounds: number): Promise<Buffer> {
  const secret = Buffer.from(password, 'utf8');
  let digest = md5(Buffer.from(salt, 'latin1'), secret);
  for (let i = 1 << logRounds; i > 0; i--) {
    digest = md5(digest, secret);
    if (i % CHUNK === 0) await yieldToLoop();
  }
  return digest;
}

export const phpassScheme: Scheme = {
  id: 'phpass',
  madeFrom: 'raw',
  matches: (hash) => hash.startsWith('$P$') || hash.startsWith('$H$'),
  parse(hash) {
    if (!FORMAT.test(hash)) throw malformed(LABEL, 'expected $P$ or $H$ followed by 31 characters of ./0-9A-Za-z');
    const logRounds = ITOA64.indexOf(hash.charAt(3));
    if (logRounds < 7 || logRounds > 30) throw malformed(LABEL, 'iteration count outside 2^7..2^30');
    if (logRounds > COST_LIMITS.phpassLogRounds) throw costTooHigh(LABEL, `2^${logRounds} iterations exceed 2^${COST_LIMITS.phpassLogRounds}`);
    const salt = hash.slice(4, 12);
    const expected = Buffer.from(hash.slice(12), 'latin1');
    return {
      scheme: 'phpass',
      async verify(password) {
        const computed = Buffer.from(encode64(await phpassDigest(password, salt, logRounds)), 'latin1');
        return digestsEqual(computed, expected);
      },
    };
  },
};
