import { describe, expect, it } from 'vitest';
import { checkPassword } from './check-password.js';
import { commonPasswordCount } from './common-passwords.js';
import { PasswordPolicySettingsSchema, type PasswordPolicySettings } from './password-policy-settings.js';

const defaults = PasswordPolicySettingsSchema.parse({});
const check = (password: string, identifiers: (string | null | undefined)[] = [], settings: PasswordPolicySettings = defaults) =>
  checkPassword(password, { settings, identifiers });

describe('checkPassword: length', () => {
  it('rejects 7 characters and accepts 8 (the default minimum)', async () => {
    expect(await check('tq9#vmz')).toMatchObject({ ok: false, code: 'password.too_short', message: 'Use at least 8 characters.', params: { minLength: 8 } });
    expect(await check('tq9#vmzk')).toEqual({ ok: true, warnings: [] });
  });

  it('accepts exactly maxLength code points and rejects one more', async () => {
    const settings = PasswordPolicySettingsSchema.parse({ maxLength: 256 });
    const atLimit = 'correct horse battery staple '.repeat(9).slice(0, 256);
    expect(await check(atLimit, [], settings)).toEqual({ ok: true, warnings: [] });
    expect(await check(`${atLimit}x`, [], settings)).toMatchObject({ ok: false, code: 'password.too_long', params: { maxLength: 256 } });
  });

  it('counts code points, not UTF-16 units or bytes: 8 emoji are 8 characters', async () => {
    const eight = '🦊🌵🎻🚲🧀🪐🐙🍋'; // 16 UTF-16 units, 32 UTF-8 bytes
    expect(eight.length).toBe(16);
    expect(await check(eight)).toEqual({ ok: true, warnings: [] });
    expect(await check('🦊🌵🎻🚲🧀🪐🐙')).toMatchObject({ ok: false, code: 'password.too_short' });
  });

  it('counts after NFKC: a ligature expands (ﬃ is "ffi"), composed é is one character', async () => {
    expect(await check('q7ﬃz#k')).toEqual({ ok: true, warnings: [] }); // 6 typed, 8 after NFKC
    expect(await check('e\u0301z9#kqw')).toMatchObject({ ok: false, code: 'password.too_short' }); // e + combining acute → é: 7
  });

  it('has no composition rules: all lower-case letters and spaces pass', async () => {
    expect(await check('purple monkey dishwasher')).toEqual({ ok: true, warnings: [] });
  });
});

describe('checkPassword: common passwords', () => {
  it('ships a list of tens of thousands of passwords', async () => {
    expect(await commonPasswordCount()).toBeGreaterThan(10_000);
  });

  it.each(['password', 'PassWord1', 'iloveyou', 'qwertyuiop', '1q2w3e4r', 'trustno1'])('rejects %s', async (password) => {
    const result = await check(password);
    expect(result).toMatchObject({ ok: false, code: 'password.common' });
    expect(result.ok ? '' : result.message).toMatch(/most common passwords/);
  });

  it('rejects a fullwidth common password after NFKC (ｐａｓｓｗｏｒｄ)', async () => {
    expect(await check('ｐａｓｓｗｏｒｄ')).toMatchObject({ ok: false, code: 'password.common' });
  });

  it.each(['aaaaaaaa', '00000000', 'abcdefghij', '98765432', 'ＺＺＺＺＺＺＺＺ'])('rejects the trivial pattern %s', async (password) => {
    expect(await check(password)).toMatchObject({ ok: false, code: 'password.common' });
  });

  it('accepts a common password when the tenant turned the list off', async () => {
    const settings = PasswordPolicySettingsSchema.parse({ rejectCommon: false });
    expect(await check('password', [], settings)).toEqual({ ok: true, warnings: [] });
  });
});

describe('checkPassword: identifiers', () => {
  it('rejects a password containing the username, in any case', async () => {
    expect(await check('xXMargaretXx-2024', ['margaret', 'm.h@example.com'])).toMatchObject({
      ok: false, code: 'password.contains_identifier',
      message: 'Choose a password that does not contain your username or email address.',
    });
  });

  it('rejects the email, its local part, and the local part before a + tag', async () => {
    expect(await check('grace.hopper@navy.mil!', [null, 'Grace.Hopper@navy.mil'])).toMatchObject({ code: 'password.contains_identifier' });
    expect(await check('8 grace.hopper 8', [undefined, 'grace.hopper@navy.mil'])).toMatchObject({ code: 'password.contains_identifier' });
    expect(await check('zz-ghopper-zz', ['ghopper+tessera@navy.mil'])).toMatchObject({ code: 'password.contains_identifier' });
  });

  it('compares after NFKC: a fullwidth username inside the password still matches', async () => {
    expect(await check('ｍａｒｇａｒｅｔ#77', ['margaret'])).toMatchObject({ code: 'password.contains_identifier' });
  });

  it('ignores identifier parts shorter than 3 characters (no false positives for jo@…)', async () => {
    expect(await check('jojoba oil cabinet', ['jo', 'jo@example.com'])).toEqual({ ok: true, warnings: [] });
    expect(await check('my jon is here', ['jon@example.com'])).toMatchObject({ code: 'password.contains_identifier' });
  });

  it('can be turned off per tenant', async () => {
    const settings = PasswordPolicySettingsSchema.parse({ rejectContainingIdentifier: false });
    expect(await check('margaret-rocks-42', ['margaret'], settings)).toEqual({ ok: true, warnings: [] });
  });
});
