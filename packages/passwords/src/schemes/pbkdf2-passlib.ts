import { decodeAb64 } from '../encoding.js';
import type { SchemeId } from '../scheme-id.js';
import { DIGEST_BYTES, pbkdf2Scheme, type Pbkdf2Digest } from './pbkdf2.js';

/**
 * passlib.hash.pbkdf2_sha256 / pbkdf2_sha512 / pbkdf2_sha1:
 * `$pbkdf2-sha256$<rounds>$<salt>$<digest>` (`$pbkdf2$` for SHA-1), salt bytes and a
 * one-digest-long key in passlib's "adapted base64" (ab64: '.' for '+', no padding).
 */
function passlibPbkdf2(id: SchemeId, digest: Pbkdf2Digest, ident: string) {
  return pbkdf2Scheme({
    id, digest, prefix: `$${ident}$`, label: `passlib ${ident}`, shape: `$${ident}$<rounds>$<salt>$<digest>`,
    decodeSalt: decodeAb64,
    decodeDigest: decodeAb64,
    encodingProblem: `salt or digest is not ab64, or the digest is not ${DIGEST_BYTES[digest]} bytes`,
  });
}

export const pbkdf2Sha256PasslibScheme = passlibPbkdf2('pbkdf2-sha256-passlib', 'sha256', 'pbkdf2-sha256');
export const pbkdf2Sha512PasslibScheme = passlibPbkdf2('pbkdf2-sha512-passlib', 'sha512', 'pbkdf2-sha512');
export const pbkdf2Sha1PasslibScheme = passlibPbkdf2('pbkdf2-sha1-passlib', 'sha1', 'pbkdf2');
