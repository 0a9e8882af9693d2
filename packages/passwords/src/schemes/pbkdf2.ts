import { pbkdf2 } from 'node:crypto';
import { COST_LIMITS } from '../limits.js';
import { costTooHigh, malformed } from '../password-hash-error.js';

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
