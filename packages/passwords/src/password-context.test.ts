import { describe, expect, it } from 'vitest';
import { argon2PolicyProblem, createPasswordContext, MAX_PASSWORD_BYTES, OWASP_ARGON2ID, PasswordHashError } from './index.js';

const cheap = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
const passwords = createPasswordContext({ argon2: cheap });

describe('createPasswordContext', () => {
  it('hashes with argon2id at the OWASP parameters by default', async () => {
    const stored = await createPasswordContext().hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(OWASP_ARGON2ID).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it('hashes with the configured parameters, a fresh salt each time, and verifies', async () => {
    const [a, b] = await Promise.all([passwords.hash('s3cret'), passwords.hash('s3cret')]);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(a).not.toBe(b);
    expect(await passwords.verify('s3cret', a)).toBe(true);
    expect(await passwords.verify('s3cret ', a)).toBe(false);
    expect(passwords.needsRehash(a)).toBe(false);
  });

  it('hashes the NFKC form, so compatibility variants of a password verify (NIST SP 800-63B §5.1.1.2)', async () => {
    const stored = await passwords.hash('ﬁnance ｐａｓｓ');
    expect(await passwords.verify('finance pass', stored)).toBe(true);
    expect(await passwords.verify('ﬁnance ｐａｓｓ', stored)).toBe(true);
    const asTyped = createPasswordContext({ argon2: cheap, normalize: 'none' });
    const raw = await asTyped.hash('ﬁnance');
    expect(await asTyped.verify('finance', raw)).toBe(false);
  });

  it('verifies an argon2 hash of the un-normalised password (e.g. imported from passlib) and replaces it', async () => {
    const raw = await createPasswordContext({ argon2: cheap, normalize: 'none' }).hash('ﬁnance');
    expect(passwords.needsRehash(raw)).toBe(false);
    const result = await passwords.verifyAndUpdate('ﬁnance', raw);
    expect(result.valid).toBe(true);
    expect(result.newHash).toMatch(/^\$argon2id\$/);
    expect(await passwords.verify('finance', result.newHash!)).toBe(true);
  });

  it('verifyAndUpdate: no new hash when the stored one meets the policy, none for a wrong password', async () => {
    const stored = await passwords.hash('pw');
    expect(await passwords.verifyAndUpdate('pw', stored)).toEqual({ valid: true });
    expect(await passwords.verifyAndUpdate('nope', stored)).toEqual({ valid: false });
  });

  it('needsRehash: argon2id below the policy in any parameter, other argon2 variants, anything unparsable', async () => {
    const strict = createPasswordContext({ argon2: { memoryCost: 2048, timeCost: 2, parallelism: 2 } });
    const tail = '$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    expect(strict.needsRehash(`$argon2id$v=19$m=2048,t=2,p=2${tail}`)).toBe(false);
    expect(strict.needsRehash(`$argon2id$v=19$m=4096,t=3,p=2${tail}`)).toBe(false);
    expect(strict.needsRehash(`$argon2id$v=19$m=1024,t=2,p=2${tail}`)).toBe(true);
    expect(strict.needsRehash(`$argon2id$v=19$m=2048,t=1,p=2${tail}`)).toBe(true);
    expect(strict.needsRehash(`$argon2id$v=19$m=2048,t=2,p=1${tail}`)).toBe(true);
    expect(strict.needsRehash(`$argon2id$m=2048,t=2,p=2${tail}`)).toBe(true); // version 0x10
    expect(strict.needsRehash(`$argon2i$v=19$m=2048,t=2,p=2${tail}`)).toBe(true);
    expect(strict.needsRehash('garbage')).toBe(true);
  });

  it('never throws from verify: unknown, malformed, over-cost and non-string input are false', async () => {
    const bad = ['', 'garbage', '$2b$', '$argon2id$v=19$m=abc', 'pbkdf2_sha256$x$y$z', `$2b$31$${'a'.repeat(53)}`];
    for (const stored of bad) expect(await passwords.verify('password', stored)).toBe(false);
    expect(await passwords.verify(undefined as unknown as string, 'garbage')).toBe(false);
    expect(await passwords.verify('password', null as unknown as string)).toBe(false);
    expect(await passwords.verifyAndUpdate('password', 'garbage')).toEqual({ valid: false });
  });

  it(`refuses passwords over ${MAX_PASSWORD_BYTES} UTF-8 bytes`, async () => {
    const long = 'é'.repeat(MAX_PASSWORD_BYTES / 2 + 1);
    await expect(passwords.hash(long)).rejects.toMatchObject({ code: 'password_hash.password_too_long' });
    await expect(passwords.hash(long)).rejects.toBeInstanceOf(PasswordHashError);
    const stored = await passwords.hash('é'.repeat(MAX_PASSWORD_BYTES / 2));
    expect(await passwords.verify('é'.repeat(MAX_PASSWORD_BYTES / 2), stored)).toBe(true);
    expect(await passwords.verify(long, stored)).toBe(false);
  });

  it('rejects a policy outside the cost caps or below argon2 minimums', () => {
    expect(() => createPasswordContext({ argon2: { memoryCost: 1 << 30 } })).toThrow(RangeError);
    expect(() => createPasswordContext({ argon2: { timeCost: 0 } })).toThrow(RangeError);
    expect(() => createPasswordContext({ argon2: { memoryCost: 8, parallelism: 2 } })).toThrow(RangeError);
    expect(() => createPasswordContext({ normalize: 'NFC' as 'none' })).toThrow(RangeError);
  });

  it('argon2PolicyProblem says why a policy would be refused, and nothing for a usable one', () => {
    expect(argon2PolicyProblem(OWASP_ARGON2ID)).toBeUndefined();
    expect(argon2PolicyProblem({ memoryCost: 8, timeCost: 1, parallelism: 1 })).toBeUndefined();
    expect(argon2PolicyProblem({ memoryCost: 8, timeCost: 1, parallelism: 2 })).toMatch(/^out of range: need integers .*8·p ≤ m ≤ 262144 KiB$/);
    expect(argon2PolicyProblem({ memoryCost: 19456, timeCost: 1.5, parallelism: 1 })).toMatch(/out of range/);
  });

  it('verifyNothing returns false and costs about one verification (no user enumeration, OWASP ASVS V2.2)', async () => {
    const owasp = createPasswordContext();
    const stored = await owasp.hash('password');
    await owasp.verifyNothing('warm-up'); // builds the dummy hash once
    const verifyTime = await median(() => owasp.verify('wrong', stored));
    const nothingTime = await median(() => owasp.verifyNothing('wrong'));
    const malformedTime = await median(() => owasp.verify('wrong', 'not-a-hash'));
    expect(await owasp.verifyNothing('password')).toBe(false);
    // Generous bounds: the point is "an argon2 verification happened", not a benchmark.
    expect(nothingTime).toBeGreaterThan(verifyTime * 0.2);
    expect(malformedTime).toBeGreaterThan(verifyTime * 0.2);
  });
});

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[2]!;
}
