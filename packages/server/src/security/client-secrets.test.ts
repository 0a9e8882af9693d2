import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  SECRET_PATTERN, checkSecretChecksum, generateClientSecret, hashClientSecret, isWellFormedSecret, maskSecret,
  matchesClientSecret, secretChecksum, secretHint,
} from './client-secrets.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('generated client secrets', () => {
  it('are tsr_ + 37 base62 characters + a 6-character base62 CRC32 of them', () => {
    const secret = generateClientSecret();
    expect(secret).toMatch(/^tsr_[0-9A-Za-z]{43}$/);
    const body = secret.slice(4, 41);
    // Independent decoding: the last six characters, read as a base62 number, are CRC32(body).
    const checksum = [...secret.slice(41)].reduce((value, char) => value * 62 + BASE62.indexOf(char), 0);
    expect(checksum).toBe(crc32(body));
    expect(checkSecretChecksum(secret)).toEqual({ valid: true, reason: 'ok' });
    expect(isWellFormedSecret(secret)).toBe(true);
    expect(secret.match(SECRET_PATTERN)).toEqual([secret]);
  });

  it('are random: no repeats, and every base62 character shows up', () => {
    const secrets = Array.from({ length: 200 }, generateClientSecret);
    expect(new Set(secrets).size).toBe(200);
    const seen = new Set(secrets.flatMap((secret) => [...secret.slice(4, 41)]));
    expect(seen.size).toBe(62);
  });

  it('checksum is zero-padded to six digits', () => {
    // crc32('') is 0: the smallest value still gives six characters.
    expect(secretChecksum('')).toBe('000000');
    expect(secretChecksum('a')).toHaveLength(6);
  });
});

describe('checkSecretChecksum', () => {
  const secret = generateClientSecret();

  it('catches every single-character substitution and adjacent swap', () => {
    for (let i = 4; i < secret.length; i++) {
      const replacement = secret[i] === 'a' ? 'b' : 'a';
      const mutated = secret.slice(0, i) + replacement + secret.slice(i + 1);
      expect(checkSecretChecksum(mutated), `position ${i}`).toEqual({ valid: false, reason: 'checksum_mismatch' });
      if (i + 1 < secret.length && secret[i] !== secret[i + 1]) {
        const swapped = secret.slice(0, i) + secret[i + 1] + secret[i] + secret.slice(i + 2);
        expect(isWellFormedSecret(swapped), `swap at ${i}`).toBe(false);
      }
    }
  });

  it('names what is wrong with a non-secret', () => {
    expect(checkSecretChecksum(secret.replace('tsr_', 'tsx_')).reason).toBe('missing_prefix');
    expect(checkSecretChecksum(secret.toUpperCase()).reason).toBe('missing_prefix');
    expect(checkSecretChecksum(secret.slice(0, -1)).reason).toBe('wrong_length');
    expect(checkSecretChecksum(`${secret}0`).reason).toBe('wrong_length');
    expect(checkSecretChecksum(`${secret.slice(0, 10)}-${secret.slice(11)}`).reason).toBe('invalid_character');
    expect(checkSecretChecksum(`${secret.slice(0, 10)}é${secret.slice(11)}`).reason).toBe('invalid_character');
    expect(checkSecretChecksum('').reason).toBe('missing_prefix');
    // The secret format before checksums: tsr_ + 43 base64url characters.
    expect(isWellFormedSecret('tsr_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG')).toBe(false);
  });

  it('the scan pattern needs word boundaries on both sides', () => {
    expect(`x${secret}`.match(SECRET_PATTERN)).toBeNull();
    expect(`${secret}x`.match(SECRET_PATTERN)).toBeNull();
    expect(`token="${secret}";`.match(SECRET_PATTERN)).toEqual([secret]);
  });
});

describe('storage and display', () => {
  it('matches only the stored hash, in constant time', () => {
    const secret = generateClientSecret();
    expect(matchesClientSecret(secret, hashClientSecret(secret))).toBe(true);
    expect(matchesClientSecret(`${secret}x`, hashClientSecret(secret))).toBe(false);
    expect(matchesClientSecret(secret, 'not-hex')).toBe(false);
  });

  it('masks and hints without showing the body', () => {
    const secret = 'tsr_abcdEFGHIJKLMNOPQRSTUVWXYZ0123456789mnopqrwxyz';
    expect(maskSecret(secret)).toBe('tsr_abcd…wxyz');
    expect(secretHint(secret)).toBe('…wxyz');
  });
});
