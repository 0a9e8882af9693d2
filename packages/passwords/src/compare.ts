import { timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two digests; unequal lengths are simply unequal (and public). */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
