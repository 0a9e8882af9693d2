import { describe, expect, it } from 'vitest';
import { accountFromClaims } from './account.js';
import { ClientError, InteractionRequiredError, isInteractionRequired, OAuthError } from './errors.js';
import { browserCommand } from './open-browser.js';
import { isRetryable, withRetry } from './retry.js';
import { normalizeScopes, resourceScopes, signInScope } from './scopes.js';
import { cacheKeys, createMemoryCache } from './token-cache.js';

describe('scopes', () => {
  it('normalizes to a sorted, de-duplicated set so equal sets share a cache key', () => {
    expect(normalizeScopes(['b a', 'a', ' c '])).toEqual(['a', 'b', 'c']);
    expect(cacheKeys.accessToken('i', 'c', 'app', normalizeScopes(['y', 'x']))).toBe(cacheKeys.accessToken('i', 'c', 'app', normalizeScopes(['x', 'y'])));
  });

  it('adds the sign-in scopes for users and strips them for access tokens', () => {
    expect(signInScope(['api://weather/weather.read'])).toBe('api://weather/weather.read offline_access openid profile');
    expect(resourceScopes(['openid', 'email', 'api://weather/.default'])).toEqual(['api://weather/.default']);
  });
});

describe('errors', () => {
  it('carry the OAuth error and a code', () => {
    const error = new OAuthError('invalid_grant', 'expired', 400);
    expect(error).toBeInstanceOf(ClientError);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_INVALID_GRANT', error: 'invalid_grant', errorDescription: 'expired', status: 400 });
    expect(new InteractionRequiredError('login_required', undefined)).toMatchObject({ code: 'ERR_INTERACTION_REQUIRED', error: 'login_required' });
    expect(isInteractionRequired('consent_required')).toBe(true);
    expect(isInteractionRequired('invalid_scope')).toBe(false);
  });

  it('are retried only for temporarily_unavailable and 5xx', async () => {
    expect(isRetryable(new OAuthError('temporarily_unavailable', undefined, 400))).toBe(true);
    expect(isRetryable(new OAuthError('server_error', undefined, 503))).toBe(true);
    expect(isRetryable(new OAuthError('invalid_client', undefined, 401))).toBe(false);
    let tries = 0;
    await expect(withRetry(async () => { tries++; throw new Error('network'); }, { attempts: 3 }, { sleep: async () => undefined })).rejects.toThrow('network');
    expect(tries).toBe(1);
  });
});

describe('accounts', () => {
  it('are identified by issuer and subject; username is preferred_username, else email', () => {
    expect(accountFromClaims({ iss: 'https://id.example.com/demo', sub: 's1', email: 'a@example.com', name: 'A' })).toEqual({
      homeAccountId: 'https://id.example.com/demo#s1', issuer: 'https://id.example.com/demo', subject: 's1', username: 'a@example.com', name: 'A',
    });
  });
});

describe('openSystemBrowser', () => {
  it('passes the URL as one argument, never through a shell', () => {
    const url = 'https://id.example.com/auth?a=1&b="x"';
    expect(browserCommand('linux', url)).toEqual(['xdg-open', new URL(url).href]);
    expect(browserCommand('darwin', url)[0]).toBe('open');
    expect(browserCommand('win32', url)).toEqual(['rundll32', 'url.dll,FileProtocolHandler', new URL(url).href]);
    expect(() => browserCommand('linux', 'file:///etc/passwd')).toThrow(ClientError);
  });
});

describe('createMemoryCache', () => {
  it('gets, sets and deletes', () => {
    const cache = createMemoryCache();
    const account = { homeAccountId: 'h', issuer: 'i', subject: 's' };
    cache.set('k', { kind: 'refresh_token', refreshToken: 'r', account });
    expect(cache.get('k')).toEqual({ kind: 'refresh_token', refreshToken: 'r', account });
    cache.delete('k');
    expect(cache.get('k')).toBeUndefined();
  });
});

describe('certificate credentials', () => {
  it('import a PKCS#8 PEM key and pick the algorithm from the curve', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { createClientAuth } = await import('./credential.js');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    await expect(createClientAuth({ certificate: { privateKey: pem, x5tS256: 'AAAA' } })()).resolves.toBeTypeOf('function');
    await expect(createClientAuth({ certificate: { privateKey: pem } })()).rejects.toMatchObject({ code: 'ERR_CLIENT_CREDENTIAL' });
  });
});
