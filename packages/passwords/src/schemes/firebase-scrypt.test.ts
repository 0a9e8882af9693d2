import { describe, expect, it } from 'vitest';
import { createPasswordContext, firebaseScryptHash, identify, PasswordHashError } from '../index.js';

/** Published example of https://github.com/firebase/scrypt (README, "password hashing"). */
const example = {
  passwordHash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==',
  salt: '42xEC+ixf3L2lw==',
  saltSeparator: 'Bw==',
  signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==',
  rounds: 8,
  memCost: 14,
};
const passwords = createPasswordContext({ argon2: { memoryCost: 1024, timeCost: 1 } });
const urlSafe = (text: string) => text.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

describe('firebaseScryptHash', () => {
  it('encodes an exported user with the project parameters as one verifiable string', async () => {
    const stored = firebaseScryptHash(example);
    expect(stored).toBe(`$firebase-scrypt$v=1,ln=14,r=8$${example.salt}$${example.saltSeparator}$${example.signerKey}$${example.passwordHash}`);
    expect(identify(stored)).toBe('firebase-scrypt');
    expect(await passwords.verify('user1password', stored)).toBe(true);
    expect(await passwords.verify('secret', stored)).toBe(false);
  });

  it('accepts URL-safe, unpadded base64 and normalises it', () => {
    const fromUrlSafe = firebaseScryptHash({
      ...example,
      passwordHash: urlSafe(example.passwordHash),
      salt: urlSafe(example.salt),
      signerKey: urlSafe(example.signerKey),
    });
    expect(fromUrlSafe).toBe(firebaseScryptHash(example));
  });

  it('refuses input that is not base64, non-integer or over-cost parameters, with a code', () => {
    const cases: [Partial<typeof example>, string][] = [
      [{ salt: 'not base64!' }, 'password_hash.malformed'],
      [{ rounds: 8.5 }, 'password_hash.malformed'],
      [{ passwordHash: example.passwordHash.slice(0, 44) }, 'password_hash.malformed'],
      [{ memCost: 30 }, 'password_hash.cost_too_high'],
    ];
    for (const [change, code] of cases) {
      expect(() => firebaseScryptHash({ ...example, ...change })).toThrow(PasswordHashError);
      try {
        firebaseScryptHash({ ...example, ...change });
      } catch (error) {
        expect((error as PasswordHashError).code, JSON.stringify(change)).toBe(code);
      }
    }
  });
});
