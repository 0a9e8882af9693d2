/**
 * Caps on the cost parameters a stored hash may ask for. A hash is data (often imported from
 * another system), and its cost parameters decide how much CPU and memory one login attempt
 * burns; without caps a single crafted row would be a denial-of-service weapon (OWASP Password
 * Storage Cheat Sheet: choose work factors deliberately). Every cap sits well above the
 * defaults of the systems we import from (Django, passlib, ASP.NET, Firebase, WordPress).
 * Hashes above a cap are refused as `password_hash.cost_too_high` and never verify.
 *
 * @example
 * ```ts
 * import { COST_LIMITS } from '@tessera/passwords';
 * console.log(COST_LIMITS.bcryptCost); // 16
 * ```
 */
export const COST_LIMITS = {
  /** argon2 memory in KiB (256 MiB; Django and passlib default to 100 MiB). */
  argon2MemoryKiB: 262_144,
  /** argon2 passes. */
  argon2TimeCost: 16,
  /** argon2 lanes. */
  argon2Parallelism: 16,
  /** bcrypt log2 rounds (the format allows 31; 12 is a common default). */
  bcryptCost: 16,
  /** PBKDF2 iterations of any PRF (Django 5 uses 870 000 for SHA-256). */
  pbkdf2Iterations: 10_000_000,
  /** scrypt log2 N. */
  scryptLogN: 20,
  /** scrypt memory, 128·N·r bytes (256 MiB; passlib's default is 16 MiB). */
  scryptMemoryBytes: 256 * 1024 * 1024,
  /** scrypt block size r. */
  scryptBlockSize: 32,
  /** scrypt parallelism p. */
  scryptParallelism: 16,
  /** PHPass log2 of MD5 iterations (WordPress uses 8, passlib 19). */
  phpassLogRounds: 20,
  /** SHA-crypt rounds (passlib defaults: 535 000 for $5$, 656 000 for $6$). */
  shaCryptRounds: 1_000_000,
} as const;

/**
 * Longest password accepted, in UTF-8 bytes. Longer input is refused by `hash` and never
 * verifies: several legacy schemes (SHA-crypt, PHPass) cost time proportional to its length
 * (OWASP Authentication Cheat Sheet, "long password denial of service").
 *
 * @example
 * ```ts
 * import { MAX_PASSWORD_BYTES } from '@tessera/passwords';
 * if (Buffer.byteLength(input) > MAX_PASSWORD_BYTES) throw new Error('too long');
 * ```
 */
export const MAX_PASSWORD_BYTES = 4096;
