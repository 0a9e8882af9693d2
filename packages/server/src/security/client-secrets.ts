import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Client secrets are high-entropy random strings, so SHA-256 is the right storage hash:
 * a password hash (argon2, bcrypt) would cap token issuance at a few hundred per second
 * and buys nothing against guessing a 256-bit value (OWASP ASVS 2.9 / 6.4).
 */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret against stored hashes (ASVS 2.9.1). */
export function matchesClientSecret(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashClientSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new random secret: `tsr_` prefix for secret scanners, 32 random bytes. */
export function generateClientSecret(): string {
  return `tsr_${randomBytes(32).toString('base64url')}`;
}

/** What admins see instead of a secret: its last four characters. */
export function secretHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
