import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, TENANT } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';
import { managementToken, MANAGEMENT_ENV } from './management-client.js';

/**
 * One suite over every operation the OpenAPI document lists, so a new resource is covered the
 * day it is added: 401 without a token, 403 without the permission, 404 for an unknown item or
 * parent, 400 with `errors[]` for an unknown body field or a bad page size.
 */

interface Operation { 'x-permission': string; parameters: { name: string; in: string }[] }
type Document = { paths: Record<string, Record<string, Operation>> };

const AUDITOR = { clientId: 'auditor', secret: 'auditor-secret-0123456789abcdef' } as const;
const MISSING = '00000000-0000-4000-8000-000000000000';
let server: TestServer;
let operations: { method: string; path: string; op: Operation }[];
let adminToken: string;
let auditorToken: string;

beforeAll(async () => {
  server = await startTestServer({
    env: MANAGEMENT_ENV,
    config: protocolConfig({
      extraApplications: [{
        clientId: AUDITOR.clientId, type: 'daemon', secrets: [{ value: AUDITOR.secret }],
        appRoles: [{ api: 'tessera:management', roles: ['audit.read'] }],
      }],
    }),
  });
  adminToken = await managementToken(server);
  auditorToken = await managementToken(server, AUDITOR, TENANT);
  const document = await (await fetch(`${server.url}/api/v1/openapi.json`)).json() as Document;
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
});
afterAll(() => server?.dispose());

/** The path with the tenant `demo` and every other parameter naming nothing. */
const concrete = (path: string, tenant = TENANT) =>
  path.replace('{tenant}', tenant).replace(/\{[^}]+\}/g, MISSING);

async function send(method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.json().catch(() => ({})) as { errors?: { path: string }[]; code?: string } };
}

describe('every management operation', () => {
  it('lists at least 40 operations, each with a permission', () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    for (const { op } of operations) expect(op['x-permission']).toMatch(/^[a-z]+\.(read|write)$/);
  });

  it('401 without a token, as a problem document', async () => {
    for (const { method, path } of operations) {
      const reply = await send(method, concrete(path), undefined, method === 'POST' || method === 'PATCH' ? {} : undefined);
      expect(reply.status, `${method} ${path}`).toBe(401);
      expect(reply.type).toContain('application/problem+json');
    }
  });

  it('403 for a token without the permission', async () => {
    for (const { method, path, op } of operations) {
      if (op['x-permission'] === 'audit.read') continue;
      const reply = await send(method, concrete(path), auditorToken, method === 'POST' || method === 'PATCH' ? {} : undefined);
      expect(reply.status, `${method} ${path}`).toBe(403);
    }
  });

  it('404 for an unknown item, parent or tenant', async () => {
    for (const { method, path } of operations) {
      const onItem = /\}$/.test(path) && path !== '/api/v1/tenants/{tenant}';
      const nested = (path.match(/\{/g) ?? []).length > (onItem ? 2 : 1);
      if (method === 'POST' || (!onItem && !nested)) continue;
      const reply = await send(method, concrete(path), adminToken, method === 'PATCH' ? {} : undefined);
      expect(reply.status, `${method} ${path}`).toBe(404);
    }
    for (const { method, path } of operations.filter((o) => o.path.startsWith('/api/v1/tenants/{tenant}') && o.method === 'GET')) {
      expect((await send(method, concrete(path, 'no-such-tenant'), adminToken)).status, path).toBe(404);
    }
  });

  it('400 with errors[] for an unknown field and for a page size out of range', async () => {
    for (const { method, path, op } of operations) {
      if (method === 'POST' || method === 'PATCH') {
        const target = method === 'POST' ? concrete(path) : concrete(path);
        const reply = await send(method, target, adminToken, { unexpectedField: true });
        expect(reply.status, `${method} ${path}`).toBe(400);
        expect(reply.body.code).toBe('request.validation_failed');
        expect(reply.body.errors?.length, `${method} ${path}`).toBeGreaterThan(0);
      }
      if (method === 'GET' && op.parameters.some((p) => p.name === 'limit')) {
        const reply = await send('GET', `${concrete(path)}?limit=1000`, adminToken);
        expect(reply.status, path).toBe(400);
        expect(reply.body.errors?.[0]?.path).toBe('/limit');
      }
    }
  });
});
