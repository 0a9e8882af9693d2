import { digestsEqual } from '../compare.js';
import { decodeBase64, parseDecimal } from '../encoding.js';
import { malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import { checkScryptParams, scryptAsync } from './scrypt.js';

const LABEL = 'passlib scrypt';
const FORMAT = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]*)\$([A-Za-z0-9+/]+)$/;

/**
 * passlib.hash.scrypt: `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<digest>`, salt and 32-byte digest
 * in unpadded standard base64 (passlib/handlers/scrypt.py).
 */
export const scryptPasslibScheme: Scheme = {
  id: 'scrypt-passlib',
  madeFrom: 'raw',
  matches: (hash) => hash.startsWith('$scrypt$'),
  parse(hash) {
    const match = FORMAT.exec(hash);
    if (!match) throw malformed(LABEL, 'expected $scrypt$ln=<n>,r=<r>,p=<p>$<salt>$<digest>');
    const [logN, r, p] = [parseDecimal(match[1]), parseDecimal(match[2]), parseDecimal(match[3])];
    const salt = decodeBase64(match[4] ?? '');
    const digest = decodeBase64(match[5] ?? '');
    if (logN === undefined || r === undefined || p === undefined) throw malformed(LABEL, 'a parameter is not a decimal number');
    if (!salt || !digest || digest.length < 16) throw malformed(LABEL, 'salt or digest is not valid base64');
    const params = { logN, r, p };
    checkScryptParams(LABEL, params);
    return {
      scheme: 'scrypt-passlib',
      verify: async (password) => digestsEqual(await scryptAsync(password, salt, digest.length, params), digest),
    };
  },
};
