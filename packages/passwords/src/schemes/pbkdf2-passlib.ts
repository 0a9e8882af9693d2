import { digestsEqual } from '../compare.js';
import { decodeAb64, parseDecimal } from '../encoding.js';
import { malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import type { SchemeId } from '../scheme-id.js';
import { checkIterations, DIGEST_BYTES, pbkdf2Async, type Pbkdf2Digest } from './pbkdf2.js';

/**
 * passlib.hash.pbkdf2_sha256 / pbkdf2_sha512 / pbkdf2_sha1:
 * `$pbkdf2-sha256$<rounds>$<salt>$<digest>` (`$pbkdf2$` for SHA-1), salt bytes and a
 * one-digest-long key in passlib's "adapted base64" (ab64: '.' for '+', no padding).
 */
function passlibPbkdf2(id: SchemeId, digest: Pbkdf2Digest, ident: string): Scheme {
  const prefix = `$${ident}$`;
  const label = `passlib ${ident}`;
  return {
    id,
    madeFrom: 'raw',
    matches: (hash) => hash.startsWith(prefix),
    parse(hash) {
      const parts = hash.slice(prefix.length).split('$');
      if (parts.length !== 3) throw malformed(label, `expected ${prefix}<rounds>$<salt>$<digest>`);
      const [roundsText, saltText = '', digestText = ''] = parts;
      const iterations = checkIterations(label, parseDecimal(roundsText));
      const salt = decodeAb64(saltText);
      const expected = decodeAb64(digestText);
      if (!salt || !expected || expected.length !== DIGEST_BYTES[digest]) {
        throw malformed(label, `salt or digest is not ab64, or the digest is not ${DIGEST_BYTES[digest]} bytes`);
      }
      return {
        scheme: id,
        verify: async (password) => digestsEqual(await pbkdf2Async(password, salt, iterations, expected.length, digest), expected),
      };
    },
  };
}

export const pbkdf2Sha256PasslibScheme = passlibPbkdf2('pbkdf2-sha256-passlib', 'sha256', 'pbkdf2-sha256');
export const pbkdf2Sha512PasslibScheme = passlibPbkdf2('pbkdf2-sha512-passlib', 'sha512', 'pbkdf2-sha512');
export const pbkdf2Sha1PasslibScheme = passlibPbkdf2('pbkdf2-sha1-passlib', 'sha1', 'pbkdf2');
