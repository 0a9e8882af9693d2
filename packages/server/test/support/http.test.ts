import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, createCookieJar, createHttpClient, form } from './http.js';

describe('cookie jar', () => {
  const at = 'http://127.0.0.1:4000/demo/interaction/abc';

  it('uses the default-path of the request when Path is absent (RFC 6265 §5.1.4)', () => {
    const jar = createCookieJar();
    jar.storeHeader(at, 'flow=1; HttpOnly');
    expect(jar.headerFor('http://127.0.0.1:4000/demo/interaction/xyz')).toBe('flow=1');
    expect(jar.headerFor('http://127.0.0.1:4000/demo/token')).toBeUndefined();
  });

  it('matches paths on segment boundaries and sends longer paths first', () => {
    const jar = createCookieJar();
    jar.storeHeader(at, 'a=root; Path=/');
    jar.storeHeader(at, 'b=demo; Path=/demo');
    expect(jar.headerFor('http://127.0.0.1:4000/demo/x')).toBe('b=demo; a=root');
    expect(jar.headerFor('http://127.0.0.1:4000/demonstration')).toBe('a=root');
  });

  it('keeps host-only cookies to their host and rejects foreign Domains', () => {
    const jar = createCookieJar();
    jar.storeHeader('http://id.example.com/', 'h=1; Path=/');
    jar.storeHeader('http://id.example.com/', 'd=2; Domain=example.com; Path=/');
    jar.storeHeader('http://id.example.com/', 'evil=3; Domain=other.com; Path=/');
    expect(jar.headerFor('http://app.example.com/')).toBe('d=2');
    expect(jar.headerFor('http://id.example.com/')).toBe('h=1; d=2');
    expect(jar.get('evil')).toBeUndefined();
  });

  it('expires and deletes cookies, Max-Age over Expires', () => {
    let now = 1_000_000;
    const jar = createCookieJar(() => now);
    jar.storeHeader(at, 's=1; Path=/; Max-Age=10; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.get('s')).toBe('1');
    now += 11_000;
    expect(jar.get('s')).toBeUndefined();
    jar.storeHeader(at, 't=1; Path=/');
    jar.storeHeader(at, 't=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
    expect(jar.all()).toEqual([]);
  });

  it('sends Secure cookies over https and to loopback only', () => {
    const jar = createCookieJar();
    jar.storeHeader('https://id.example.com/', 's=1; Secure; Path=/');
    jar.storeHeader('http://127.0.0.1/', 'l=1; Secure; Path=/');
    expect(jar.headerFor('http://id.example.com/')).toBeUndefined();
    expect(jar.headerFor('https://id.example.com/')).toBe('s=1');
    expect(jar.headerFor('http://127.0.0.1/')).toBe('l=1');
  });
});

describe('http client', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/login' && req.method === 'POST') {
        res.writeHead(303, { location: '/consent', 'set-cookie': ['session=s1; Path=/; HttpOnly', 'step=login; Path=/login'] });
        res.end();
      } else if (url.pathname === '/consent') {
        res.writeHead(302, { location: 'https://app.example/callback?code=abc' });
        res.end();
      } else if (url.pathname === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, cookie: req.headers.cookie ?? null, authorization: req.headers.authorization ?? null }));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('follows a POST-303-GET walk, keeps cookies and stops at a redirect it must not request', async () => {
    const http = createHttpClient();
    const walk = await http.follow(`${base}/login`, { method: 'POST', body: form({ username: 'alice' }) }, {
      stopAt: (location) => location.origin === 'https://app.example',
    });
    expect(walk.hops.map((h) => h.status)).toEqual([303, 302]);
    expect(walk.location).toBe('https://app.example/callback?code=abc');
    expect(http.jar.get('session', `${base}/consent`)).toBe('s1');

    const echo = await (await http.fetch(`${base}/echo`, { headers: { authorization: basicAuth('my app', 's3cr3t:+') } })).json();
    expect(echo).toEqual({ method: 'GET', cookie: 'session=s1', authorization: `Basic ${Buffer.from('my+app:s3cr3t%3A%2B').toString('base64')}` });
  });

  it('returns redirects unfollowed from fetch()', async () => {
    const http = createHttpClient();
    const response = await http.fetch(`${base}/consent`);
    expect(response.status).toBe(302);
  });
});
