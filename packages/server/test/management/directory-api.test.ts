import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, authorizeThroughPages, BOB, createPkce, discoverClient, protocolConfig, TENANT } from '../support/fixtures.js';
import { createHttpClient, form, startTestServer, type TestServer } from '../support/index.js';
import { createManagementCaller, managementToken, MANAGEMENT_ENV } from './management-client.js';

/**
 * The management API for tenants, users and their sessions, the audit trail, and delegated
 * access: a signed-in administrator's token counts only the permissions the user holds as roles.
 */

const CONSOLE = { clientId: 'admin-console', secret: 'console-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5009/cb' } as const;
let server: TestServer;
let token: string | undefined;
const call = (...args: Parameters<ReturnType<typeof createManagementCaller>>) => createManagementCaller(server, () => token)(...args);
const users = `/tenants/${TENANT}/users`;

beforeAll(async () => {
  server = await startTestServer({
    env: MANAGEMENT_ENV,
    config: protocolConfig({
      extraApplications: [{
        clientId: CONSOLE.clientId, type: 'web', redirectUris: [CONSOLE.redirectUri], secrets: [{ value: CONSOLE.secret }],
        permissions: [{ api: 'tessera:management', scopes: ['users.read', 'users.write'] }],
      }],
      extraUsers: [{ username: 'root', email: 'root@example.com', emailVerified: true, password: ALICE.password, roles: [{ api: 'tessera:management', roles: ['admin'] }] }],
    }),
  });
  token = await managementToken(server);
});
afterAll(() => server?.dispose());

async function signInToConsole(login: string, password: string) {
  const client = await discoverClient(server, CONSOLE.clientId, oidc.ClientSecretBasic(CONSOLE.secret));
  const pkce = await createPkce();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: CONSOLE.redirectUri, scope: 'openid tessera:management/users.read tessera:management/users.write',
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(createHttpClient(), url, { redirectUri: CONSOLE.redirectUri, login, password });
  return (await oidc.authorizationCodeGrant(client, walk.callback, { pkceCodeVerifier: pkce.verifier })).access_token;
}

describe('users', () => {
  it('creates a user with a password that signs in; hashes are never returned', async () => {
    const created = await call('POST', users, { username: 'carol', email: 'carol@example.com', emailVerified: true, name: 'Carol', password: 'a long enough password 42' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'carol', hasPassword: true, disabled: false });
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|password_hash|passwordHash/);
    const session = await fetch(`${server.issuer(TENANT)}/api/flows/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const flow = await session.json() as { id: string };
    const signIn = await fetch(`${server.issuer(TENANT)}/api/flows/login/${flow.id}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'carol', password: 'a long enough password 42' }),
    });
    expect(signIn.status).toBe(200);
  });

  it('a taken username or email is 409 naming the field, case-insensitively', async () => {
    const byEmail = await call('POST', users, { username: 'carol2', email: 'CAROL@example.com' });
    expect(byEmail.status).toBe(409);
    expect(byEmail.body.errors?.[0]?.path).toBe('/email');
    const byName = await call('POST', users, { username: 'Carol' });
    expect(byName.body.errors?.[0]?.path).toBe('/username');
    const missing = await call('POST', users, { name: 'Nobody' });
    expect(missing.status).toBe(400);
    expect((await call('GET', `${users}?username=carol2`)).body.items).toEqual([]);
  });

  it('lists sessions and ends them: disabling a user signs them out everywhere', async () => {
    const carol = (await call('GET', `${users}?username=carol`)).body.items![0]!;
    const sessions = await call('GET', `${users}/${carol.id as string}/sessions`);
    expect(sessions.body.items).toHaveLength(1);
    expect((sessions.body.items![0]! as { methods: string[] }).methods).toEqual(['pwd']);
    const disabled = await call('PATCH', `${users}/${carol.id as string}`, { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await call('GET', `${users}/${carol.id as string}/sessions`)).body.items).toEqual([]);
    expect((await call('GET', `${users}/not-a-uuid/sessions`)).status).toBe(404);
  });

  it('filters and pages users; deletes one', async () => {
    for (const name of ['dave', 'erin', 'frank']) expect((await call('POST', users, { username: name })).status).toBe(201);
    const first = await call('GET', `${users}?limit=2`);
    const second = await call('GET', `${users}?limit=2&cursor=${first.body.nextCursor as string}`);
    const ids = [...first.body.items!, ...second.body.items!].map((u) => u.id);
    expect(new Set(ids).size).toBe(4);
    const erin = (await call('GET', `${users}?username=ERIN`)).body.items![0]!;
    expect((await call('DELETE', `${users}/${erin.id as string}`)).status).toBe(204);
    expect((await call('GET', `${users}/${erin.id as string}`)).status).toBe(404);
    expect((await call('GET', `${users}?disabled=maybe`)).status).toBe(400);
  });
});

describe('tenants', () => {
  it('creates a tenant that is an issuer at once; the admin tenant cannot be deleted', async () => {
    const created = await call('POST', '/tenants', { id: 'acme', name: 'Acme' });
    expect(created.status).toBe(201);
    expect(created.body.issuer).toBe(server.issuer('acme'));
    const discovery = await fetch(`${server.issuer('acme')}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect((await call('POST', '/tenants', { id: 'acme' })).status).toBe(409);
    expect((await call('POST', '/tenants', { id: 'api' })).body.errors?.[0]?.path).toBe('/id');
    expect((await call('POST', '/tenants', { id: 'x', accounts: { selfRegistration: 'sometimes' } })).status).toBe(400);
    const admin = await call('DELETE', '/tenants/admin');
    expect(admin.status).toBe(409);
    expect((await call('DELETE', '/tenants/acme')).status).toBe(204);
    expect((await fetch(`${server.issuer('acme')}/.well-known/openid-configuration`)).status).toBe(404);
    expect((await call('GET', '/tenants/acme/users')).status).toBe(404);
  });
});

describe('delegated access (a signed-in administrator)', () => {
  it('counts a scope only when the user also holds the role: root may, bob may not', async () => {
    const rootToken = await signInToConsole('root', ALICE.password);
    const asRoot = createManagementCaller(server, () => rootToken);
    expect((await asRoot('GET', users)).status).toBe(200);
    // Consented scopes are not enough without the role, and other areas stay closed even for root.
    expect((await asRoot('GET', `/tenants/${TENANT}/applications`)).status).toBe(403);
    const bobToken = await signInToConsole(BOB.username, BOB.password);
    const asBob = createManagementCaller(server, () => bobToken);
    const refused = await asBob('GET', users);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.insufficient_scope');
    const created = await asRoot('POST', users, { username: 'grace' });
    expect(created.status).toBe(201);
    const events = await call('GET', `/tenants/${TENANT}/audit-events?type=user.created&subject=${created.body.id as string}`);
    expect(events.body.items![0]!.actor).toMatch(/^user:[0-9a-f-]{36}@demo$/);
  });

  it('a revoked management token stops working', async () => {
    const fresh = await managementToken(server);
    const revoke = await fetch(`${server.issuer('admin')}/token/revocation`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`tessera-admin:${MANAGEMENT_ENV.TESSERA_BOOTSTRAP_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ token: fresh }),
    });
    expect(revoke.status).toBe(200);
    const reply = await fetch(`${server.url}/api/v1/tenants`, { headers: { authorization: `Bearer ${fresh}` } });
    expect(reply.status).toBe(401);
  });
});

describe('audit trail', () => {
  it('filters by time and pages newest first', async () => {
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const page = await call('GET', `/tenants/${TENANT}/audit-events?limit=3&since=${encodeURIComponent(since)}`);
    expect(page.body.items).toHaveLength(3);
    const ids = page.body.items!.map((event) => Number(event.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const next = await call('GET', `/tenants/${TENANT}/audit-events?limit=3&cursor=${page.body.nextCursor as string}`);
    expect(Number(next.body.items![0]!.id)).toBeLessThan(ids.at(-1)!);
    expect((await call('GET', `/tenants/${TENANT}/audit-events?since=yesterday`)).body.errors?.[0]?.path).toBe('/since');
  });
});
