import { createServer, get } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuard } from '../src/index.js';
import type { Guard, GuardSurface } from '../src/index.js';
import { expressGuard } from '../src/express.js';
import { fastifyGuard } from '../src/fastify.js';
import { honoGuard } from '../src/hono.js';
import type { GuardEnv } from '../src/hono.js';
import { nodeGuard } from '../src/node-http.js';
import { ADAPTER_CASES, CASE_TENANTS } from './adapter-cases.js';
import type { Route } from './adapter-cases.js';
import { AUDIENCE, startLocalIssuer } from './local-issuer.js';
import type { LocalIssuer } from './local-issuer.js';

/** The shared case suite (adapter-cases.ts) against Express, Fastify, Hono and node:http. */

type Reply = (auth: { sub: string; scope?: string; scp?: string | string[] }) => object;
const body: Reply = (auth) => ({ sub: auth.sub, scope: auth.scope ?? auth.scp ?? null });

/** The routes of adapter-cases.ts, from any adapter's surface. */
function routes<M>(surface: GuardSurface<M>): Array<[Route, M]> {
  return [
    ['/weather', surface.requireScopes('weather.read')],
    ['/admin', surface.requireRoles('app.weather')],
    ['/either', surface.requireAny(surface.requireScopes('weather.write'), surface.requireRoles('app.weather'))],
    ['/step-up', surface.requireAuthentication({ acr: ['mfa'], maxAge: 300 })],
    ['/me', surface.authenticate()],
  ];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ADAPTERS: Record<string, (guard: Guard) => Promise<{ url: string; close(): Promise<void> }>> = {
  async express(guard) {
    const app = express();
    for (const [path, middleware] of routes(expressGuard(guard))) app.get(path, middleware, (req, res) => { res.json(body(req.auth!)); });
    const server = createServer(app);
    return { url: await listen(server), close: () => new Promise((r) => server.close(() => r())) };
  },
  async fastify(guard) {
    const app = Fastify();
    app.decorateRequest('auth', undefined);
    for (const [path, preHandler] of routes(fastifyGuard(guard))) app.get(path, { preHandler }, async (request) => body(request.auth!));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  },
  async hono(guard) {
    const app = new Hono<GuardEnv>();
    for (const [path, middleware] of routes(honoGuard(guard))) app.get(path, middleware, (c) => c.json(body(c.get('auth'))));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
  },
  async 'node:http'(guard) {
    const table = new Map(routes(nodeGuard(guard)).map(([path, protect]) => [path, protect((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body(req.auth)));
    })]));
    const server = createServer((req, res) => {
      const listener = table.get(req.url as Route);
      if (listener) listener(req, res);
      else res.writeHead(404).end();
    });
    return { url: await listen(server), close: () => new Promise((r) => server.close(() => r())) };
  },
};

let issuer: LocalIssuer;
let guard: Guard;
const headers = new Map<string, string | undefined>();

beforeAll(async () => {
  issuer = await startLocalIssuer();
  guard = createGuard({ issuer: issuer.issuer, audience: AUDIENCE, tenants: CASE_TENANTS });
  // One header per case, shared by every adapter, so each adapter sees the very same bytes.
  for (const testCase of ADAPTER_CASES) headers.set(testCase.name, await testCase.authorization(issuer));
});
afterAll(() => issuer?.close());

function parseChallenge(value: string | null): { scheme: string; params: string } {
  const [scheme = '', ...rest] = (value ?? '').split(' ');
  return { scheme, params: rest.join(' ') };
}

describe.each(Object.keys(ADAPTERS))('%s adapter', (name) => {
  let app: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    app = await ADAPTERS[name]!(guard);
  });
  afterAll(() => app?.close());

  it.each(ADAPTER_CASES)('$name → $status', async (testCase) => {
    const authorization = headers.get(testCase.name);
    const response = await fetch(`${app.url}${testCase.route}`, { headers: authorization === undefined ? {} : { authorization } });
    const text = await response.text();
    expect(response.status, text).toBe(testCase.status);
    if (testCase.status === 200) {
      expect(JSON.parse(text)).toMatchObject({ sub: expect.any(String) });
      return;
    }
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { scheme, params } = parseChallenge(response.headers.get('www-authenticate'));
    expect(scheme).toBe('Bearer');
    if (testCase.error === null) {
      expect(params).toBe('');
      return;
    }
    expect(params).toContain(`error="${testCase.error}"`);
    expect(params).toMatch(/error_description="[^"]+"/);
    const description = /error_description="([^"]*)"/.exec(params)?.[1] ?? '';
    expect(description).toContain(testCase.description);
    for (const attribute of testCase.challenge ?? []) expect(params).toContain(attribute);
    expect(JSON.parse(text)).toEqual({ error: testCase.error, error_description: description });
  });

  it('refuses two Authorization fields, even when the first holds a good token', async () => {
    const good = `Bearer ${await issuer.sign({ scope: 'weather.read' })}`;
    // fetch would merge the two fields; node:http sends each on its own line (a raw list: Host is ours to send).
    const { status, challenge } = await new Promise<{ status: number; challenge: string }>((resolve, reject) => {
      get(`${app.url}/weather`, { headers: ['Host', new URL(app.url).host, 'Authorization', good, 'Authorization', good] }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, challenge: String(response.headers['www-authenticate']) }));
      }).on('error', reject);
    });
    expect(status).toBe(401);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toMatch(/error_description="more than one (Authorization header|token)/);
  });
});
