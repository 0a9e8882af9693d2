import { decodeBase64 } from '../encoding.js';
import type { SchemeId } from '../scheme-id.js';
import { DIGEST_BYTES, pbkdf2Scheme, type Pbkdf2Digest } from './pbkdf2.js';

/**
 * Django's PBKDF2PasswordHasher / PBKDF2SHA1PasswordHasher:
 * `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`. The salt is used as its UTF-8 text (not
 * decoded), the derived key is one digest long (django/contrib/auth/hashers.py, utils/crypto.py).
 */
function djangoPbkdf2(id: SchemeId, digest: Pbkdf2Digest) {
  return pbkdf2Scheme({
    id, digest, prefix: `pbkdf2_${digest}$`, label: `Django pbkdf2_${digest}`, shape: `pbkdf2_${digest}$<iterations>$<salt>$<digest>`,
    decodeSalt: (text) => text || undefined,
    decodeDigest: decodeBase64,
    encodingProblem: `the salt is empty or the digest is not ${DIGEST_BYTES[digest]} bytes of base64`,
  });
}

export const pbkdf2Sha256DjangoScheme = djangoPbkdf2('pbkdf2-sha256-django', 'sha256');
export const pbkdf2Sha1DjangoScheme = djangoPbkdf2('pbkdf2-sha1-django', 'sha1');
