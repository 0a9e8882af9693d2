import { digestsEqual } from '../compare.js';
import { decodeBase64, parseDecimal } from '../encoding.js';
import { malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import type { SchemeId } from '../scheme-id.js';
import { checkIterations, DIGEST_BYTES, pbkdf2Async, type Pbkdf2Digest } from './pbkdf2.js';

/**
 * Django's PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher:
 * `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`. The salt is used as its UTF-8 text (not
 * decoded), the derived key is one digest long (django/contrib/auth/hashers.py, utils/crypto.py).
 */
function djangoPbkdf2(id: SchemeId, digest: Pbkdf2Digest): Scheme {
  const prefix = `pbkdf2_${digest}$`;
  const label = `Django pbkdf2_${digest}`;
  return {
    id,
    madeFrom: 'raw',
    matches: (hash) => hash.startsWith(prefix),
    parse(hash) {
      const parts = hash.slice(prefix.length).split('$');
      if (parts.length !== 3) throw malformed(label, `expected pbkdf2_${digest}$<iterations>$<salt>$<digest>`);
      const [iterationText, salt = '', encoded = ''] = parts;
      const iterations = checkIterations(label, parseDecimal(iterationText));
      const expected = decodeBase64(encoded);
      if (salt === '' || !expected || expected.length !== DIGEST_BYTES[digest]) {
        throw malformed(label, `the salt is empty or the digest is not ${DIGEST_BYTES[digest]} bytes of base64`);
      }
      return {
        scheme: id,
        verify: async (password) => digestsEqual(await pbkdf2Async(password, salt, iterations, expected.length, digest), expected),
      };
    },
  };
}

export const pbkdf2Sha256DjangoScheme = djangoPbkdf2('pbkdf2-sha256-django', 'sha256');
export const pbkdf2Sha1DjangoScheme = djangoPbkdf2('pbkdf2-sha1-django', 'sha1');
