import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

/**
 * Cookie contents as JWTs encrypted with `dir` + `A256GCM`: AES-GCM is authenticated encryption,
 * so a sealed value is both secret and tamper-evident (RFC 7516 §5.2 step 14 fails on any change).
 * Keys are derived per purpose with HKDF (RFC 5869) from the configured secret(s).
 */
export interface Sealer {
  seal(payload: JWTPayload, expiresAt: number): Promise<string>;
  /** The payload, or undefined when the value is tampered with, expired, or sealed for another purpose. */
  unseal(value: string): Promise<JWTPayload | undefined>;
}

export const MIN_SECRET_BYTES = 32;

/** One 256-bit key per secret and purpose; the first secret seals, every secret unseals (rotation). */
export function deriveKeys(secrets: readonly string[], purpose: string): Uint8Array[] {
  return secrets.map((secret) => new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), `tessera-web ${purpose} v1`, 32)));
}

export function createSealer(secrets: readonly string[], purpose: string, clock: () => number): Sealer {
  const keys = deriveKeys(secrets, purpose);
  return {
    async seal(payload, expiresAt) {
      const [key] = keys;
      if (!key) throw new Error('no cookie secret');
      return new EncryptJWT(payload)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: purpose })
        .setIssuedAt(Math.floor(clock() / 1000))
        .setExpirationTime(Math.floor(expiresAt / 1000))
        .encrypt(key);
    },
    async unseal(value) {
      for (const key of keys) {
        try {
          const { payload } = await jwtDecrypt(value, key, {
            currentDate: new Date(clock()), keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'],
          });
          return payload;
        } catch {
          // Tampered, expired, or sealed with another key: try the next secret.
        }
      }
      return undefined;
    },
  };
}
