import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../account-deps.js';
import { reasonOf, relyingParty, userHandleOf } from './passkey.js';

const ctx = (publicUrl: string, tenant = 'demo', rpName?: string) => ({
  tenant: { id: tenant, name: 'Demo' },
  deps: { publicUrl, secretKey: Buffer.alloc(32, 7) },
  settings: { mfa: { passkeys: { allowedAaguids: [], attestation: 'none', ...(rpName ? { rpName } : {}) } } },
}) as unknown as RequestContext;

describe('passkey relying party', () => {
  it('is the public URL: RP ID its host name, origin its origin (a base path is no part of either)', () => {
    expect(relyingParty(ctx('https://id.example.com/auth'))).toEqual({ rpID: 'id.example.com', origin: 'https://id.example.com', rpName: 'Demo' });
    expect(relyingParty(ctx('http://localhost:8080', 'demo', 'Example sign-in'))).toEqual({ rpID: 'localhost', origin: 'http://localhost:8080', rpName: 'Example sign-in' });
  });

  it('gives each user a stable, opaque 32-byte handle, different per user and per tenant', () => {
    const a = userHandleOf(ctx('https://id.example.com'), 'user-1');
    expect(a).toHaveLength(32);
    expect(Buffer.from(a)).toEqual(Buffer.from(userHandleOf(ctx('https://id.example.com'), 'user-1')));
    expect(Buffer.from(a)).not.toEqual(Buffer.from(userHandleOf(ctx('https://id.example.com'), 'user-2')));
    expect(Buffer.from(a)).not.toEqual(Buffer.from(userHandleOf(ctx('https://id.example.com', 'other'), 'user-1')));
    expect(Buffer.from(a).toString('utf8')).not.toContain('user-1');
  });
});

describe('why an answer was refused', () => {
  const rpIdError = Object.assign(new Error('Unexpected RP ID hash'), { name: 'UnexpectedRPIDHash' });
  it.each([
    [rpIdError, 'wrong_rp_id'],
    [new Error('Unexpected authentication response challenge "abc", expected "def"'), 'wrong_challenge'],
    [new Error('Unexpected registration response challenge "origin", expected "x"'), 'wrong_challenge'],
    [new Error('Unexpected authentication response origin "https://evil.example", expected "https://id.example.com"'), 'wrong_origin'],
    [new Error('Unexpected registration response origin "https://challenge.example", expected "x"'), 'wrong_origin'],
    [new Error('Response counter value 1 was lower than expected 1'), 'counter_regression'],
    [new Error('User verification required, but user could not be verified'), 'user_not_verified'],
    [new Error('User verification was required, but user could not be verified'), 'user_not_verified'],
    [new Error('Unexpected authentication response type "webauthn.create", expected "webauthn.get"'), 'wrong_type'],
    [new TypeError("Cannot read properties of undefined (reading 'clientDataJSON')"), 'invalid_response'],
    ['not an error', 'invalid_response'],
  ])('%s → %s', (error, reason) => {
    expect(reasonOf(error)).toBe(reason);
  });
});
