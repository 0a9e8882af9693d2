import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificate, DAEMON, protocolConfig, TENANT, WEATHER_API } from '../support/fixtures.js';
import { basicAuth, startTestServer, type TestServer } from '../support/index.js';
import { BOOTSTRAP, createManagementCaller, managementToken, MANAGEMENT_ENV } from './management-client.js';

/**
 * The management API for applications, their secrets and certificates, and APIs: every answer
 * (success, 400 with the field, 401, 403, 404, 409, 412), and that changes reach the protocol at once.
 */

let server: TestServer;
let token: string | undefined;
const call = (...args: Parameters<ReturnType<typeof createManagementCaller>>) => createManagementCaller(server, () => token)(...args);
const apps = `/tenants/${TENANT}/applications`;

async function clientCredentials(clientId: string, secret: string) {
  const response = await fetch(`${server.issuer(TENANT)}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` }),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig(), env: MANAGEMENT_ENV });
  token = await managementToken(server);
});
afterAll(() => server?.dispose());

describe('authentication and authorization', () => {
  it('refuses a call without a token: 401 with a Bearer challenge and a problem document', async () => {
    const saved = token;
    token = undefined;
    const reply = await call('GET', apps);
    token = saved;
    expect(reply.status).toBe(401);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="tessera-management"');
    expect(reply.headers.get('content-type')).toContain('application/problem+json');
    expect(reply.body.code).toBe('auth.token_required');
  });

  it('refuses a malformed token, and a valid token for another API', async () => {
    const weather = (await clientCredentials(DAEMON.clientId, DAEMON.secret)).body.access_token as string;
    for (const bearer of ['not-a-jwt', weather, `${token!.slice(0, -4)}AAAA`]) {
      const reply = await fetch(`${server.url}/api/v1${apps}`, { headers: { authorization: `Bearer ${bearer}` } });
      expect(reply.status).toBe(401);
      expect(reply.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('403 for a token without the permission, naming it; 403 for a token of another tenant', async () => {
    // A reader in the demo tenant: app roles applications.read only on the built-in API.
    const created = await call('POST', apps, {
      clientId: 'reader', type: 'daemon', appRoles: [{ api: 'tessera:management', roles: ['applications.read'] }],
    });
    expect(created.status).toBe(201);
    const readerToken = await managementToken(server, { clientId: 'reader', secret: created.body.clientSecret as string }, TENANT);
    const reader = createManagementCaller(server, () => readerToken);
    expect((await reader('GET', apps)).status).toBe(200);
    const write = await reader('POST', apps, { clientId: 'nope', type: 'spa' });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('auth.insufficient_scope');
    expect(write.headers.get('www-authenticate')).toContain('scope="applications.write"');
    expect((await call('GET', `${apps}/nope`)).status).toBe(404);
    // A demo token manages demo only: not the admin tenant, not the list of tenants.
    expect((await reader('GET', '/tenants/admin/applications')).body.code).toBe('auth.wrong_tenant');
    expect((await reader('GET', '/tenants')).status).toBe(403);
  });
});

describe('applications', () => {
  it('creates a daemon with its first secret shown once; the secret works at the token endpoint at once', async () => {
    const reply = await call('POST', apps, {
      clientId: 'nightly-job', name: 'Nightly job', type: 'daemon', appRoles: [{ api: WEATHER_API, roles: ['app.weather'] }],
    });
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(`/api/v1${apps}/nightly-job`);
    expect(reply.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(reply.body).toMatchObject({ clientId: 'nightly-job', type: 'daemon', public: false, corsOrigins: [] });
    expect(reply.body.clientSecret).toMatch(/^tsr_[0-9A-Za-z]{43}$/);
    const token = await clientCredentials('nightly-job', reply.body.clientSecret as string);
    expect(token.status).toBe(200);
    // Never shown again.
    const read = await call('GET', `${apps}/nightly-job`);
    expect(read.body.clientSecret).toBeUndefined();
    expect(read.headers.get('etag')).toBe(reply.headers.get('etag'));
  });

  it('an SPA is public, gets no secret, and its CORS origins come from its redirect URIs', async () => {
    const reply = await call('POST', apps, { clientId: 'dashboard', type: 'spa', redirectUris: ['https://dash.example.com/cb', 'http://localhost:3000/cb'] });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ public: true, corsOrigins: ['https://dash.example.com', 'http://localhost:3000'] });
    expect(reply.body.clientSecret).toBeUndefined();
    const secret = await call('POST', `${apps}/dashboard/secrets`, {});
    expect(secret.status).toBe(409);
    expect(secret.body.code).toBe('application.public_client');
  });

  it('updates with If-Match: the current ETag succeeds, a stale one is 412 and changes nothing', async () => {
    const first = await call('GET', `${apps}/dashboard`);
    const etag = first.headers.get('etag')!;
    const updated = await call('PATCH', `${apps}/dashboard`, { name: 'Dashboard' }, { 'if-match': etag });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Dashboard');
    expect(updated.headers.get('etag')).not.toBe(etag);
    const stale = await call('PATCH', `${apps}/dashboard`, { name: 'Stale' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect((await call('GET', `${apps}/dashboard`)).body.name).toBe('Dashboard');
    expect((await call('DELETE', `${apps}/dashboard`, undefined, { 'if-match': etag })).status).toBe(412);
  });

  it('bad input is a 400 whose errors[] point at the fields, and nothing is stored', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ clientId: 'bad1', type: 'web', redirectUris: ['https://app.example.com/cb#frag'] }, '/redirectUris/0'],
      [{ clientId: 'bad2', type: 'web', redirectUris: ['https://*.example.com/cb'] }, '/redirectUris/0'],
      [{ clientId: 'bad3', type: 'web', redirectUris: ['http://app.example.com/cb'] }, '/redirectUris/0'],
      [{ clientId: 'bad4', type: 'spa', redirectUris: Array.from({ length: 257 }, (_, i) => `https://a.example.com/${i}`) }, '/redirectUris'],
      [{ clientId: 'bad5', type: 'web', permissions: [{ api: WEATHER_API, scopes: ['weather.delete'] }] }, '/permissions/0/scopes/0'],
      [{ clientId: 'bad6', type: 'daemon', appRoles: [{ api: 'api://nowhere', roles: ['x'] }] }, '/appRoles/0/api'],
      [{ clientId: 'bad7', type: 'robot' }, '/type'],
      [{ clientId: 'bad8', type: 'spa', surprise: true }, ''],
      [{ clientId: 'has space', type: 'spa' }, '/clientId'],
    ];
    for (const [body, path] of cases) {
      const reply = await call('POST', apps, body);
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(reply.body.code).toBe('request.validation_failed');
      expect(reply.body.errors?.[0]?.path).toBe(path);
      expect((await call('GET', `${apps}/${encodeURIComponent(String(body.clientId))}`)).status).toBe(404);
    }
    const notJson = await call('POST', apps, '{"clientId":', {});
    expect(notJson.status).toBe(400);
  });

  it('a duplicate clientId is 409 naming the field', async () => {
    const reply = await call('POST', apps, { clientId: DAEMON.clientId, type: 'daemon' });
    expect(reply.status).toBe(409);
    expect(reply.body.errors).toEqual([{ path: '/clientId', message: 'is already taken' }]);
  });

  it('http:// redirect URIs on other hosts only when the tenant allows them for development', async () => {
    const body = { clientId: 'dev-web', type: 'web', redirectUris: ['http://devbox.internal:8080/cb'] };
    expect((await call('POST', apps, body)).status).toBe(400);
    expect((await call('PATCH', `/tenants/${TENANT}`, { allowHttpRedirectUris: true })).status).toBe(200);
    expect((await call('POST', apps, body)).status).toBe(201);
    await call('PATCH', `/tenants/${TENANT}`, { allowHttpRedirectUris: false });
  });

  it('deleting an application ends its tokens: its secret stops working', async () => {
    const created = await call('POST', apps, { clientId: 'short-lived', type: 'daemon', appRoles: [{ api: WEATHER_API, roles: ['app.weather'] }] });
    expect((await clientCredentials('short-lived', created.body.clientSecret as string)).status).toBe(200);
    expect((await call('DELETE', `${apps}/short-lived`)).status).toBe(204);
    expect((await call('GET', `${apps}/short-lived`)).status).toBe(404);
    expect((await clientCredentials('short-lived', created.body.clientSecret as string)).status).toBe(401);
  });

  it('lists in pages with a cursor, filtered by type', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await call('GET', `${apps}?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items!.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items!.map((item) => item.clientId as string));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(DAEMON.clientId);
    const daemons = await call('GET', `${apps}?type=daemon&limit=200`);
    expect(daemons.body.items!.every((item) => item.type === 'daemon')).toBe(true);
    expect((await call('GET', `${apps}?limit=0`)).body.errors?.[0]?.path).toBe('/limit');
    expect((await call('GET', `${apps}?type=robot`)).status).toBe(400);
    expect((await call('GET', `${apps}?cursor=!!`)).status).toBe(400);
  });
});

describe('secrets and certificates', () => {
  it('rotates secrets: old and new both work until the old one is deleted', async () => {
    const created = await call('POST', apps, { clientId: 'rotating', type: 'daemon', appRoles: [{ api: WEATHER_API, roles: ['app.weather'] }] });
    const oldSecret = created.body.clientSecret as string;
    const added = await call('POST', `${apps}/rotating/secrets`, { description: 'second', expiresInDays: 90 });
    expect(added.status).toBe(201);
    const newSecret = added.body.value as string;
    expect(newSecret).toMatch(/^tsr_/);
    expect((await clientCredentials('rotating', oldSecret)).status).toBe(200);
    expect((await clientCredentials('rotating', newSecret)).status).toBe(200);
    const list = await call('GET', `${apps}/rotating/secrets`);
    expect(list.body.items).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain(newSecret);
    const old = list.body.items!.find((item) => item.id !== added.body.id)!;
    expect((await call('DELETE', `${apps}/rotating/secrets/${old.id as string}`)).status).toBe(204);
    expect((await clientCredentials('rotating', oldSecret)).status).toBe(401);
    expect((await clientCredentials('rotating', newSecret)).status).toBe(200);
    expect((await call('POST', `${apps}/rotating/secrets`, { expiresInDays: 0 })).body.errors?.[0]?.path).toBe('/expiresInDays');
    expect((await call('GET', `${apps}/nobody/secrets`)).status).toBe(404);
  });

  it('uploads a certificate and shows its thumbprints and expiry; a non-PEM is 400', async () => {
    const certificate = await createTestCertificate('ES256');
    const reply = await call('POST', `${apps}/rotating/certificates`, { pem: certificate.pem });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ kind: 'certificate', thumbprintSha1: certificate.x5t });
    expect(reply.body.notAfter).toMatch(/^\d{4}-/);
    expect((await call('POST', `${apps}/rotating/certificates`, { pem: certificate.pem })).status).toBe(409);
    expect((await call('POST', `${apps}/rotating/certificates`, { pem: 'hello' })).body.errors?.[0]?.path).toBe('/pem');
  });
});

describe('APIs', () => {
  it('creates an API with scopes and app roles; a scope with a space is 400; a duplicate identifier is 409', async () => {
    const created = await call('POST', `/tenants/${TENANT}/apis`, {
      identifier: 'api://billing', name: 'Billing', appRoles: ['billing.admin'],
      scopes: [{ name: 'invoices.read', description: 'Read your invoices', adminDescription: "Read every user's invoices" }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      identifier: 'api://billing', appRoles: [{ name: 'billing.admin' }],
      scopes: [{ name: 'invoices.read', description: 'Read your invoices', adminDescription: "Read every user's invoices" }],
    });
    const spaced = await call('POST', `/tenants/${TENANT}/apis`, { identifier: 'api://other', name: 'Other', scopes: ['read all'] });
    expect(spaced.status).toBe(400);
    expect(spaced.body.errors?.[0]?.path).toBe('/scopes/0/name');
    const duplicate = await call('POST', `/tenants/${TENANT}/apis`, { identifier: 'api://billing', name: 'Again' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors?.[0]?.path).toBe('/identifier');
  });

  it('an app role granted to an application cannot be removed (409), and a new API is usable at once', async () => {
    const apis = await call('GET', `/tenants/${TENANT}/apis?identifier=${encodeURIComponent('api://billing')}`);
    const billing = apis.body.items![0]!;
    const app = await call('POST', apps, { clientId: 'billing-job', type: 'daemon', appRoles: [{ api: 'api://billing', roles: ['billing.admin'] }] });
    const token = await fetch(`${server.issuer(TENANT)}/token`, {
      method: 'POST',
      headers: { authorization: basicAuth('billing-job', app.body.clientSecret as string), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api://billing/.default' }),
    });
    expect(token.status).toBe(200);
    const removal = await call('PATCH', `/tenants/${TENANT}/apis/${billing.id as string}`, { appRoles: [] });
    expect(removal.status).toBe(409);
    expect(removal.body.detail).toContain('billing-job');
    expect((await call('DELETE', `/tenants/${TENANT}/apis/${billing.id as string}`)).status).toBe(409);
  });
});

describe('audit and reference', () => {
  it('records every change with its actor and the item before and after', async () => {
    const events = await call('GET', `/tenants/${TENANT}/audit-events?type=application.updated`);
    const event = events.body.items![0]!;
    expect(event.actor).toBe(`client:${BOOTSTRAP.clientId}@admin`);
    expect(event.subject).toBe('dashboard');
    const data = event.data as { before: { name: string }; after: { name: string } };
    expect([data.before.name, data.after.name]).toEqual(['dashboard', 'Dashboard']);
    const secretEvents = await call('GET', `/tenants/${TENANT}/audit-events?type=application_secret.created`);
    expect(JSON.stringify(secretEvents.body)).not.toMatch(/tsr_[0-9A-Za-z]{43}/);
  });

  it('serves an OpenAPI 3.1 document generated from the schemas, and a rendered reference', async () => {
    const document = await (await fetch(`${server.url}/api/v1/openapi.json`)).json() as {
      openapi: string; paths: Record<string, Record<string, { 'x-permission': string }>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/api/v1/tenants/{tenant}/applications/{clientId}']?.patch?.['x-permission']).toBe('applications.write');
    expect(Object.keys(document.components.schemas.ApplicationCreate?.properties ?? {})).toContain('redirectUris');
    const page = await fetch(`${server.url}/api/v1/reference`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('/api/v1/tenants/{tenant}/applications/{clientId}');
  });
});
