import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard, requireScopes } from '../src/index.js';
import express from 'express';
import { expressGuard } from '../src/express.js';
import { nodeGuard } from '../src/node-http.js';
import { AUDIENCE, startLocalIssuer, type LocalIssuer } from './local-issuer.js';

/**
 * The node:http adapter answers a token its verified-token cache holds without the asynchronous
 * path; the answer must be the same as the full path's: claims for the handler, the requirement
 * still checked on every request, and a refusal for anything not cached.
 */

let issuer: LocalIssuer;
let url: string;
let expressUrl: string;
const server = createServer();
const expressServer = createServer();

beforeAll(async () => {
  issuer = await startLocalIssuer();
  const guard = nodeGuard(createGuard({ issuer: issuer.issuer, audience: AUDIENCE, cache: { maxEntries: 10 } }));
  const read = guard.requireScopes('weather.read')((req, res) => res.end(JSON.stringify({ sub: req.auth.sub })));
  const write = guard.requireAll(requireScopes('weather.write'))((_req, res) => res.end('written'));
  server.on('request', (req, res) => (req.url === '/write' ? write(req, res) : read(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = express();
  const eguard = expressGuard(createGuard({ issuer: issuer.issuer, audience: AUDIENCE, cache: { maxEntries: 10 } }));
  app.get('/read', eguard.requireScopes('weather.read'), (req, res) => { res.json({ sub: req.auth?.sub }); });
  app.get('/write', eguard.requireScopes('weather.write'), (_req, res) => { res.send('written'); });
  expressServer.on('request', app);
  await new Promise<void>((resolve) => expressServer.listen(0, '127.0.0.1', resolve));
  expressUrl = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.close();
  expressServer.close();
  await issuer.close();
});

const call = (path: string, token: string, base = url) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('a cached token on node:http and Express', () => {
  it('gets the same answers the second time: claims for the handler, and the requirement checked again', async () => {
    const token = await issuer.sign({ sub: 'alice', scope: 'weather.read' });
    for (const base of [url, url, expressUrl, expressUrl]) {
      const reply = await call('/read', token, base);
      expect(reply.status).toBe(200);
      expect(await reply.json()).toEqual({ sub: 'alice' });
      const refused = await call('/write', token, base);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('www-authenticate')).toContain('scope="weather.write"');
    }
  });

  it('a token that differs from a cached one in its signature is verified, and refused', async () => {
    const token = await issuer.sign({ sub: 'bob', scope: 'weather.read' });
    expect((await call('/read', token)).status).toBe(200);
    // Not the last character: its low bits are base64url padding that decoders ignore.
    const at = token.length - 10;
    const forged = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    expect((await call('/read', forged)).status).toBe(401);
  });
});
