import { digestsEqual } from '../compare.js';
import { decodeBase64 } from '../encoding.js';
import { malformed } from '../password-hash-error.js';
import type { Scheme } from '../scheme.js';
import { checkIterations, pbkdf2Async, type Pbkdf2Digest } from './pbkdf2.js';

/**
 * ASP.NET Core Identity's PasswordHasher (Microsoft.AspNetCore.Identity, PasswordHasher.cs):
 * the stored string is base64 of a binary blob.
 * - v3: 0x01 ‖ PRF (uint32 BE: 0 SHA-1, 1 SHA-256, 2 SHA-512) ‖ iterations (uint32 BE)
 *   ‖ salt length (uint32 BE, ≥ 16) ‖ salt ‖ subkey (the rest, ≥ 16 bytes).
 * - v2 (ASP.NET Identity 2 / compatibility mode): 0x00 ‖ 16-byte salt ‖ 32-byte subkey,
 *   PBKDF2-HMAC-SHA1 with 1000 iterations.
 * The password is hashed as UTF-8.
 */
const PRFS: Record<number, Pbkdf2Digest> = { 0: 'sha1', 1: 'sha256', 2: 'sha512' };
const V3_HEADER = 13;
const MIN_BYTES = 16;
const V2_LENGTH = 1 + 16 + 32;

function blob(hash: string): Buffer | undefined {
  return hash.length >= 60 && hash.length <= 1024 ? decodeBase64(hash) : undefined;
}

export const aspnetIdentityV3Scheme: Scheme = {
  id: 'aspnet-identity-v3',
  madeFrom: 'raw',
  matches: (hash) => {
    const bytes = blob(hash);
    return bytes !== undefined && bytes[0] === 0x01 && bytes.length >= V3_HEADER + 2 * MIN_BYTES;
  },
  parse(hash) {
    const label = 'ASP.NET Identity v3';
    const bytes = blob(hash);
    if (!bytes || bytes[0] !== 0x01 || bytes.length < V3_HEADER + 2 * MIN_BYTES) throw malformed(label, 'expected base64 of a 0x01-marked blob');
    const digest = PRFS[bytes.readUInt32BE(1)];
    const iterations = checkIterations(label, bytes.readUInt32BE(5));
    const saltLength = bytes.readUInt32BE(9);
    if (!digest) throw malformed(label, 'unknown PRF (expected 0, 1 or 2)');
    if (saltLength < MIN_BYTES || V3_HEADER + saltLength + MIN_BYTES > bytes.length) throw malformed(label, 'salt length out of range');
    const salt = bytes.subarray(V3_HEADER, V3_HEADER + saltLength);
    const subkey = bytes.subarray(V3_HEADER + saltLength);
    return {
      scheme: 'aspnet-identity-v3',
      verify: async (password) => digestsEqual(await pbkdf2Async(password, salt, iterations, subkey.length, digest), subkey),
    };
  },
};

export const aspnetIdentityV2Scheme: Scheme = {
  id: 'aspnet-identity-v2',
  madeFrom: 'raw',
  matches: (hash) => {
    const bytes = blob(hash);
    return bytes !== undefined && bytes[0] === 0x00 && bytes.length === V2_LENGTH;
  },
  parse(hash) {
    const bytes = blob(hash);
    if (!bytes || bytes[0] !== 0x00 || bytes.length !== V2_LENGTH) throw malformed('ASP.NET Identity v2', 'expected base64 of 49 bytes starting with 0x00');
    const salt = bytes.subarray(1, 17);
    const subkey = bytes.subarray(17);
    return {
      scheme: 'aspnet-identity-v2',
      verify: async (password) => digestsEqual(await pbkdf2Async(password, salt, 1000, 32, 'sha1'), subkey),
    };
  },
};
