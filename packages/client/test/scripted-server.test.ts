import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClientApplication, OAuthError, type ClientApplicationOptions } from '../src/index.js';

/**
 * Retries and device-code polling against a tiny local server that answers from a script:
 * 503 and `temporarily_unavailable` are retried with backoff, other errors are not; polling
 * follows RFC 8628 §3.5 (authorization_pending, slow_down adds 5 s, access_denied, expired_token).
 * Time is a fake clock advanced by the injected sleep: the tests assert attempts and intervals.
 */

interface Reply { status: number; body: unknown }
let server: Server;
let issuer: string;
let script: Reply[];
let tokenCalls: URLSearchParams[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', issuer).pathname;
      if (path === '/.well-known/openid-configuration') {
        return send(res, { status: 200, body: {
          issuer, token_endpoint: `${issuer}/token`, device_authorization_endpoint: `${issuer}/device`,
          authorization_endpoint: `${issuer}/auth`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'],
        } });
      }
      if (path === '/device') {
        return send(res, { status: 200, body: { device_code: 'dc', user_code: 'BCDF-GHJK', verification_uri: `${issuer}/verify`, expires_in: 60 } });
      }
      tokenCalls.push(new URLSearchParams(Buffer.concat(chunks).toString()));
      send(res, script.shift() ?? { status: 500, body: 'script ran out' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => { script = []; tokenCalls = []; });

function send(res: import('node:http').ServerResponse, reply: Reply) {
  const json = typeof reply.body !== 'string';
  res.writeHead(reply.status, { 'content-type': json ? 'application/json' : 'text/plain', 'cache-control': 'no-store' });
  res.end(json ? JSON.stringify(reply.body) : reply.body);
}

const TOKEN = { status: 200, body: { access_token: 'at', token_type: 'Bearer', expires_in: 3600 } };

function fakeTime() {
  const time = { now: 1_700_000_000_000, slept: [] as number[] };
  const options: Partial<ClientApplicationOptions> = {
    clock: () => time.now,
    sleep: async (ms) => { time.slept.push(ms); time.now += ms; },
  };
  return { time, options };
}

function daemon(extra: Partial<ClientApplicationOptions> = {}) {
  return createClientApplication({ authority: issuer, clientId: 'daemon', credential: { clientSecret: 's3cret' }, ...extra });
}

describe('retries', () => {
  it('retries a bare 503 and temporarily_unavailable, then succeeds', async () => {
    script = [{ status: 503, body: 'Service Unavailable' }, { status: 400, body: { error: 'temporarily_unavailable' } }, TOKEN];
    const { time, options } = fakeTime();
    const result = await daemon({ ...options, retry: { attempts: 3, baseDelayMs: 100 } }).acquireTokenForClient({ scopes: ['api://weather/.default'] });
    expect(result.accessToken).toBe('at');
    expect(tokenCalls).toHaveLength(3);
    expect(time.slept).toHaveLength(2);
    // Full jitter: each wait is at most base × 2^n.
    expect(time.slept[0]).toBeLessThanOrEqual(100);
    expect(time.slept[1]).toBeLessThanOrEqual(200);
  });

  it('gives up after the attempts with a typed error', async () => {
    script = [{ status: 502, body: 'Bad Gateway' }, { status: 502, body: 'Bad Gateway' }];
    const { options } = fakeTime();
    const error = await daemon({ ...options, retry: { attempts: 2 } }).acquireTokenForClient({ scopes: ['x'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'server_error', status: 502, code: 'ERR_OAUTH_SERVER_ERROR' });
    expect(tokenCalls).toHaveLength(2);
  });

  it('does not retry a client error', async () => {
    script = [{ status: 400, body: { error: 'invalid_scope', error_description: 'no such scope' } }];
    const { time, options } = fakeTime();
    await expect(daemon(options).acquireTokenForClient({ scopes: ['x'] })).rejects.toMatchObject({
      error: 'invalid_scope', errorDescription: 'no such scope', code: 'ERR_OAUTH_INVALID_SCOPE',
    });
    expect(tokenCalls).toHaveLength(1);
    expect(time.slept).toEqual([]);
  });

  it('sends resource and extra parameters (Auth0 audience) when asked', async () => {
    script = [TOKEN];
    await daemon().acquireTokenForClient({ scopes: ['read:forecasts'], resource: 'https://weather.example.com', extraParameters: { audience: 'https://weather.example.com' } });
    expect(Object.fromEntries(tokenCalls[0]!)).toMatchObject({
      grant_type: 'client_credentials', scope: 'read:forecasts', resource: 'https://weather.example.com', audience: 'https://weather.example.com',
    });
  });
});

describe('device code polling (RFC 8628 §3.5)', () => {
  const pending = { status: 400, body: { error: 'authorization_pending' } };

  it('waits the interval, adds 5 s after slow_down, and returns the tokens', async () => {
    script = [pending, { status: 400, body: { error: 'slow_down' } }, pending, TOKEN];
    const { time, options } = fakeTime();
    const shown: string[] = [];
    const app = createClientApplication({ authority: issuer, clientId: 'tv', ...options });
    const result = await app.acquireTokenByDeviceCode({ scopes: ['api://weather/weather.read'], onCode: (info) => { shown.push(info.userCode); } });
    expect(result.accessToken).toBe('at');
    expect(shown).toEqual(['BCDF-GHJK']);
    expect(time.slept).toEqual([5000, 5000, 10_000, 10_000]);
    expect(tokenCalls.map((call) => call.get('grant_type'))).toEqual(Array(4).fill('urn:ietf:params:oauth:grant-type:device_code'));
    expect(tokenCalls[0]?.get('device_code')).toBe('dc');
  });

  it.each(['access_denied', 'expired_token'])('throws %s typed', async (error) => {
    script = [pending, { status: 400, body: { error } }];
    const { options } = fakeTime();
    const app = createClientApplication({ authority: issuer, clientId: 'tv', ...options });
    await expect(app.acquireTokenByDeviceCode({ scopes: [], onCode: () => undefined })).rejects.toMatchObject({ error, code: `ERR_OAUTH_${error.toUpperCase()}` });
  });

  it('stops by itself when the code has expired on the clock', async () => {
    script = Array(20).fill(pending);
    const { time, options } = fakeTime();
    const app = createClientApplication({ authority: issuer, clientId: 'tv', ...options });
    await expect(app.acquireTokenByDeviceCode({ scopes: [], onCode: () => undefined })).rejects.toMatchObject({ error: 'expired_token' });
    // expires_in 60 s at a 5 s interval: 11 polls, then the 12th wait reaches the expiry.
    expect(tokenCalls).toHaveLength(11);
    expect(time.slept).toHaveLength(12);
  });
});
