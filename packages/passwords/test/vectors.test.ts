import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assertKnownHash, createPasswordContext, identify, SCHEME_IDS, type SchemeId } from '../src/index.js';

/**
 * Hashes made by the reference implementations (passlib, Django, hashlib/cryptography and the
 * firebase/scrypt README), produced by test/vectors/generate.py. See docs/passwords.md.
 */
interface Vector {
  scheme: SchemeId;
  source: string;
  password: string;
  wrong: string;
  hash: string;
}
interface VectorFile {
  vectors: Vector[];
  nfkcMade: { scheme: SchemeId; typed: string; hash: string }[];
}

const file = JSON.parse(readFileSync(new URL('./vectors/vectors.json', import.meta.url), 'utf8')) as VectorFile;
// Low argon2 cost: the policy only matters for new hashes and the dummy spent on bad input.
const passwords = createPasswordContext({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } });

describe('reference vectors', () => {
  it('cover every scheme', () => {
    expect(new Set(file.vectors.map((v) => v.scheme))).toEqual(new Set(SCHEME_IDS));
  });

  describe.each(SCHEME_IDS)('%s', (scheme) => {
    const vectors = file.vectors.filter((v) => v.scheme === scheme);

    it('identifies and accepts every hash', () => {
      for (const v of vectors) {
        expect(identify(v.hash), v.source).toBe(scheme);
        expect(assertKnownHash(v.hash), v.source).toBe(scheme);
      }
    });

    it('verifies the right password and refuses the wrong one', async () => {
      for (const v of vectors) {
        expect(await passwords.verify(v.password, v.hash), `${v.source}: ${JSON.stringify(v.password)}`).toBe(true);
        expect(await passwords.verify(v.wrong, v.hash), `${v.source}: wrong ${JSON.stringify(v.wrong)}`).toBe(false);
      }
    });

    it('wants a rehash (legacy scheme, or argon2 below the policy)', () => {
      for (const v of vectors) expect(passwords.needsRehash(v.hash)).toBe(true);
    });
  });

  it('refuses a digest with one character changed', async () => {
    for (const v of file.vectors.filter((_, index) => index % 9 === 0)) {
      const tampered = tamper(v.hash);
      expect(await passwords.verify(v.password, tampered), `${v.source}: ${tampered}`).toBe(false);
    }
  });

  it('verifies legacy hashes of the NFKC form when the user types the un-normalised form', async () => {
    for (const v of file.nfkcMade) {
      expect(v.typed.normalize('NFKC')).not.toBe(v.typed);
      expect(await passwords.verify(v.typed, v.hash)).toBe(true);
    }
  });

  it('upgrades a legacy hash to argon2id with the policy on a successful verification', async () => {
    const legacy = file.vectors.find((v) => v.scheme === 'pbkdf2-sha256-django' && v.password === 'password');
    const result = await passwords.verifyAndUpdate('password', legacy!.hash);
    expect(result.valid).toBe(true);
    expect(result.newHash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await passwords.verify('password', result.newHash!)).toBe(true);
    expect(passwords.needsRehash(result.newHash!)).toBe(false);
  });
});

/** Changes one character in the middle of the last quarter of the hash (inside the digest). */
function tamper(hash: string): string {
  if (/^[A-Za-z0-9+/]+=*$/.test(hash)) {
    // ASP.NET: flip one bit of the subkey's last byte, keeping the base64 valid.
    const bytes = Buffer.from(hash, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    return bytes.toString('base64');
  }
  const at = hash.length - Math.max(3, Math.floor(hash.length / 8));
  const char = hash.charAt(at);
  return hash.slice(0, at) + (char === 'A' ? 'B' : 'A') + hash.slice(at + 1);
}
