import { describe, expect, it } from 'vitest';
import { ConfigurationError, createWebAuth, safeReturnTo } from '../src/index.js';
import { apiOf, incrementalScopes, scopeKey } from '../src/scopes.js';

describe('safeReturnTo (open redirects, RFC 9700 §4.11)', () => {
  it.each([
    ['/reports?year=2026#top', '/reports?year=2026#top'],
    ['/a/../b', '/b'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['javascript:alert(1)', '/'],
    ['/\tx', '/'],
    ['', '/'],
    [undefined, '/'],
  ])('%s → %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });
});

describe('scopes', () => {
  it('caches tokens per API scope set, in any order', () => {
    expect(scopeKey(['openid', 'api://w/b', 'api://w/a', 'api://w/a'])).toBe('api://w/a api://w/b');
  });

  it('names the API of Entra-style scopes only', () => {
    expect(apiOf('api://weather/weather.read')).toBe('api://weather');
    expect(apiOf('https://graph.microsoft.com/User.Read')).toBe('https://graph.microsoft.com');
    expect(apiOf('read:forecasts')).toBeUndefined();
    expect(apiOf('api://weather')).toBeUndefined();
  });

  it('asks incrementally for the new scope plus what the same API already has, never two APIs', () => {
    const base = ['openid', 'offline_access', 'api://weather/weather.read'];
    expect(incrementalScopes(base, ['api://weather/weather.write'], base))
      .toEqual(['openid', 'offline_access', 'api://weather/weather.read', 'api://weather/weather.write']);
    expect(incrementalScopes(base, ['api://reports/reports.read'], base))
      .toEqual(['openid', 'offline_access', 'api://reports/reports.read']);
  });
});

describe('createWebAuth configuration', () => {
  const valid = { issuer: 'https://id.example.com/acme', clientId: 'app', clientSecret: 's', redirectUri: 'https://app.example.com/signin-oidc' };

  it.each([
    ['a short cookie secret', { ...valid, cookie: { secret: 'short' } }],
    ['a relative redirect URI', { ...valid, redirectUri: '/signin-oidc', cookie: { secret: 'x'.repeat(32) } }],
    ['an http redirect URI off localhost', { ...valid, redirectUri: 'http://app.example.com/signin-oidc', cookie: { secret: 'x'.repeat(32) } }],
    ['an http issuer off localhost', { ...valid, issuer: 'http://id.example.com', cookie: { secret: 'x'.repeat(32) } }],
  ])('refuses %s', (_name, options) => {
    expect(() => createWebAuth(options)).toThrow(ConfigurationError);
    try { createWebAuth(options); } catch (error) { expect((error as ConfigurationError).code).toBe('web.invalid_configuration'); }
  });
});
