import { scrypt } from 'node:crypto';
import { COST_LIMITS } from '../limits.js';
import { costTooHigh, malformed } from '../password-hash-error.js';

/** scrypt cost parameters: N = 2^logN. */
export interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

/** Refuses scrypt parameters that are invalid or above the caps (throws PasswordHashError). */
export function checkScryptParams(label: string, { logN, r, p }: ScryptParams): void {
  if (logN < 1 || r < 1 || p < 1) throw malformed(label, 'N, r and p must be at least 2, 1 and 1');
  if (logN > COST_LIMITS.scryptLogN) throw costTooHigh(label, `N=2^${logN} exceeds 2^${COST_LIMITS.scryptLogN}`);
  if (r > COST_LIMITS.scryptBlockSize) throw costTooHigh(label, `r=${r} exceeds ${COST_LIMITS.scryptBlockSize}`);
  if (p > COST_LIMITS.scryptParallelism) throw costTooHigh(label, `p=${p} exceeds ${COST_LIMITS.scryptParallelism}`);
  if (memoryBytes({ logN, r, p }) > COST_LIMITS.scryptMemoryBytes) {
    throw costTooHigh(label, `128·N·r = ${memoryBytes({ logN, r, p })} bytes exceeds ${COST_LIMITS.scryptMemoryBytes}`);
  }
}

function memoryBytes({ logN, r }: ScryptParams): number {
  return 128 * 2 ** logN * r;
}

/** node:crypto scrypt on the threadpool, with maxmem sized to the (already capped) parameters. */
export function scryptAsync(password: string | Buffer, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  const options = { N: 2 ** params.logN, r: params.r, p: params.p, maxmem: 2 * memoryBytes(params) + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
