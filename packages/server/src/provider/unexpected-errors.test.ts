import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUnexpectedErrorHandler, logEngineServerErrors } from './unexpected-errors.js';

/**
 * The outermost middleware of a tenant's provider, on a real oidc-provider behind node:http: what
 * escapes the engine or a middleware is answered as an OAuth error with the correlation id, the
 * headers set before it stay, and only unexpected errors are logged.
 */

const CORRELATION_ID = '5f0f3c3e-8a4b-4a8e-9d51-0c5b1c0c9e11';
let server: Server;
let base: string;
const logged: { fields: Record<string, unknown>; message: string }[] = [];

beforeAll(async () => {
  const log = { error: (fields: Record<string, unknown>, message: string) => { logged.push({ fields, message }); } };
  // Storage that fails for applications, as a database that went away does.
  class FailingAdapter {
    constructor(private readonly name: string) {}
    async find() {
      if (this.name === 'Client') throw new Error('the client store is unreachable');
      return undefined;
    }
    async upsert() {}
    async findByUid() { return undefined; }
    async findByUserCode() { return undefined; }
    async consume() {}
    async destroy() {}
    async revokeByGrantId() {}
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const provider = new Provider('http://127.0.0.1/t', {
    adapter: FailingAdapter as never,
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'test', alg: 'ES256', use: 'sig' }] as never },
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  });
  provider.use(createUnexpectedErrorHandler({
    log,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<p>${out.error}</p>`;
    },
    session: { ttlSeconds: 60, cookie: { httpOnly: true } },
  }) as never);
  logEngineServerErrors(provider as never, log);
  provider.use(async (ctx, next) => {
    if (ctx.path === '/boom') throw new Error('the database is unreachable');
    if (ctx.path === '/refused') throw new errors.InvalidRequest('that parameter is not allowed here');
    await next();
  });
  const callback = provider.callback();
  server = createServer((req: IncomingMessage & { correlationId?: string }, res) => {
    req.correlationId = CORRELATION_ID;
    res.setHeader('X-Content-Type-Options', 'nosniff'); // as the HTTP layer's security headers are
    void callback(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  logged.length = 0;
});

describe('unexpected errors in protocol endpoints', () => {
  it('answers server_error as JSON with the correlation id, keeps the headers set before, and logs the cause', async () => {
    const res = await fetch(`${base}/boom`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'server_error', correlation_id: CORRELATION_ID });
    expect(JSON.stringify(body)).not.toContain('unreachable');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.fields).toMatchObject({ correlationId: CORRELATION_ID, path: '/boom' });
    expect((logged[0]!.fields.err as Error).message).toBe('the database is unreachable');
  });

  it('shows a browser the error page instead', async () => {
    const res = await fetch(`${base}/boom`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('<p>server_error</p>');
  });

  it('answers an OAuth error thrown by a middleware as that error, without logging it', async () => {
    const res = await fetch(`${base}/refused`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_request', error_description: 'that parameter is not allowed here', correlation_id: CORRELATION_ID,
    });
    expect(logged).toHaveLength(0);
  });

  it('logs the server errors the engine answers itself, with the correlation id', async () => {
    const res = await fetch(`${base}/token`, {
      method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'daemon', client_secret: 'secret-0123456789abcdef' }),
    });
    expect(res.status).toBe(500);
    expect((await res.json() as { error: string }).error).toBe('server_error');
    expect(logged).toHaveLength(1);
    expect(logged[0]!.fields).toMatchObject({ correlationId: CORRELATION_ID, path: '/token' });
    expect((logged[0]!.fields.err as Error).message).toBe('the client store is unreachable');
  });

  it('leaves every other answer alone', async () => {
    const res = await fetch(`${base}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect((await res.json() as { issuer: string }).issuer).toBe('http://127.0.0.1/t');
    expect(logged).toHaveLength(0);
  });
});
