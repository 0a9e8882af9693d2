import { pbkdf2 } from 'node:crypto';
import { COST_LIMITS } from '../limits.js';
import { digestsEqual } from '../compare.js';
import { parseDecimal } from '../encoding.js';
import { costTooHigh, malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import type { SchemeId } from '../scheme-id.js';

/** The PRFs our PBKDF2 formats use (RFC 8018 §5.2 with HMAC-<digest>). */
export type Pbkdf2Digest = 'sha1' | 'sha256' | 'sha512';

/** Output sizes, which are also the derived-key lengths Django and passlib use. */
export const DIGEST_BYTES: Record<Pbkdf2Digest, number> = { sha1: 20, sha256: 32, sha512: 64 };

/** Refuses an iteration count that is missing, zero, or above the cap. */
export function checkIterations(label: string, iterations: number | undefined): number {
  if (iterations === undefined || iterations < 1) throw malformed(label, 'the iteration count must be a positive decimal number');
  if (iterations > COST_LIMITS.pbkdf2Iterations) throw costTooHigh(label, `${iterations} iterations exceed ${COST_LIMITS.pbkdf2Iterations}`);
  return iterations;
}

/** node:crypto PBKDF2 on the threadpool. */
export function pbkdf2Async(password: string | Buffer, salt: string | Buffer, iterations: number, keyLength: number, digest: Pbkdf2Digest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(password, salt, iterations, keyLength, digest, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * A `<prefix><iterations>$<salt>$<digest>` PBKDF2 format (Django's and passlib's differ only in
 * the prefix and in how salt and digest are encoded). The derived key is one digest long.
 */
export function pbkdf2Scheme(options: {
  id: SchemeId; digest: Pbkdf2Digest; prefix: string; label: string; shape: string;
  /** The salt as PBKDF2 takes it, or undefined when malformed. */
  decodeSalt(text: string): string | Buffer | undefined;
  decodeDigest(text: string): Buffer | undefined;
  encodingProblem: string;
}): Scheme {
  const { id, digest, prefix, label } = options;
  return {
    id,
    madeFrom: 'raw',
    matches: (hash) => hash.startsWith(prefix),
    parse(hash) {
      const parts = hash.slice(prefix.length).split('$');
      if (parts.length !== 3) throw malformed(label, `expected ${options.shape}`);
      const [iterationText, saltText = '', digestText = ''] = parts;
      const iterations = checkIterations(label, parseDecimal(iterationText));
      const salt = options.decodeSalt(saltText);
      const expected = options.decodeDigest(digestText);
      if (!salt || !expected || expected.length !== DIGEST_BYTES[digest]) throw malformed(label, options.encodingProblem);
      return {
        scheme: id,
        verify: async (password) => digestsEqual(await pbkdf2Async(password, salt, iterations, expected.length, digest), expected),
      };
    },
  };
}
