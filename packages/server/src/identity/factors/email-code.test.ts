import { describe, expect, it } from 'vitest';
import { emailCodeFactor } from './email-code.js';
import { isSameBrowser, newLinkBinding } from './email-link.js';
import { readSixDigits } from './oob-code.js';
import { hashAccountToken } from '../../db/repositories/account-tokens.js';
import type { RequestContext } from '../account-deps.js';
import type { Flow } from '../flows/flow-types.js';

describe('the browser binding of a sign-in link', () => {
  const binding = newLinkBinding();
  const token = { data: { bindingHash: hashAccountToken(`signin-binding:${binding}`) } };

  it('recognizes the browser that asked, and only it', () => {
    expect(binding).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(isSameBrowser(token, binding)).toBe(true);
    expect(isSameBrowser(token, newLinkBinding())).toBe(false);
    expect(isSameBrowser(token, undefined)).toBe(false);
    expect(isSameBrowser(token, '')).toBe(false);
  });

  it('binds nothing when the mail was asked for without a browser (the JSON API)', () => {
    expect(isSameBrowser({ data: {} }, binding)).toBe(false);
    expect(isSameBrowser({ data: { bindingHash: 42 } }, binding)).toBe(false);
  });
});

describe('six-digit codes as typed', () => {
  it.each([['123456', '123456'], [' 123 456 ', '123456'], ['123-456', '123456']])('reads %j', (typed, code) => {
    expect(readSixDigits(typed)).toBe(code);
  });
  it.each([[undefined], [''], ['12345'], ['1234567'], ['12345a'], ['١٢٣٤٥٦']])('refuses %j', (typed) => {
    expect(readSixDigits(typed)).toBeUndefined();
  });
});

describe('the emailed-code strategy', () => {
  // Only the parts that never reach the context: a submission for another method is not its business.
  const ctx = {} as RequestContext;
  const flow = { id: 'f', state: 'choose_method', data: {} } as unknown as Flow;

  it('leaves other methods to their strategies', async () => {
    expect(await emailCodeFactor.submit(ctx, 'first', flow, { identifier: 'alice', password: 'x' }, undefined)).toEqual({ kind: 'not_mine' });
    expect(await emailCodeFactor.submit(ctx, 'first', flow, { method: 'email_codes' }, undefined)).toEqual({ kind: 'not_mine' });
    expect(await emailCodeFactor.submit(ctx, 'second', flow, { method: 'totp', code: '123456' }, undefined)).toEqual({ kind: 'not_mine' });
  });

  it('offers one button in its own group, first and second step', async () => {
    expect((await emailCodeFactor.form(ctx, 'first', undefined)).nodes).toEqual([expect.objectContaining({ name: 'action', value: 'start', group: 'email_code' })]);
    expect((await emailCodeFactor.form(ctx, 'second', undefined)).nodes).toEqual([expect.objectContaining({ name: 'action', value: 'send', group: 'email_code' })]);
  });
});
