import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE, authorizeThroughPages, BOB, createPkce, DAEMON, discoverClient, jwtClaims, protocolConfig, TENANT, WEATHER_API, WEB,
} from '../support/fixtures.js';
import { createHttpClient, startTestServer, type TestServer } from '../support/index.js';
import { createManagementCaller, managementToken, MANAGEMENT_ENV } from './management-client.js';

/**
 * The management API for roles, groups and their members, and consent (tenant-wide admin
 * consent, a user's consents): each change shows in the next sign-in or token.
 */

let server: TestServer;
let token: string | undefined;
let web: oidc.Configuration;
const call = (...args: Parameters<ReturnType<typeof createManagementCaller>>) => createManagementCaller(server, () => token)(...args);
const base = `/tenants/${TENANT}`;

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig(), env: MANAGEMENT_ENV });
  token = await managementToken(server);
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
});
afterAll(() => server?.dispose());

/** Signs a user in to weather-web for weather.read; returns the tokens and which pages were shown. */
async function signIn(login: string, password: string) {
  const pkce = await createPkce();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope: `openid offline_access ${WEATHER_API}/weather.read`, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(createHttpClient(), url, { redirectUri: WEB.redirectUri, login, password });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier });
  return { tokens, pages: walk.pages, roles: (jwtClaims(tokens.access_token).roles ?? []) as string[] };
}

async function userId(username: string): Promise<string> {
  return (await call('GET', `${base}/users?username=${username}`)).body.items![0]!.id as string;
}

describe('roles', () => {
  it('defines API and tenant-wide roles; names are unique per API; the API must exist', async () => {
    expect((await call('POST', `${base}/roles`, { name: 'observer', api: WEATHER_API, description: 'Writes forecasts' })).status).toBe(201);
    expect((await call('POST', `${base}/roles`, { name: 'staff' })).status).toBe(201);
    const duplicate = await call('POST', `${base}/roles`, { name: 'observer', api: WEATHER_API });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.errors?.[0]?.path).toBe('/name');
    const unknown = await call('POST', `${base}/roles`, { name: 'x', api: 'api://nowhere' });
    expect(unknown.body.errors?.[0]?.path).toBe('/api');
    expect((await call('POST', `${base}/roles`, { name: 'has space' })).body.errors?.[0]?.path).toBe('/name');
    const tenantWide = await call('GET', `${base}/roles?api=tenant`);
    expect(tenantWide.body.items!.map((role) => role.name)).toEqual(['staff']);
    const staff = tenantWide.body.items![0]!;
    const changed = await call('PATCH', `${base}/roles/${staff.id as string}`, { description: 'Everyone employed' });
    expect(changed.body.description).toBe('Everyone employed');
    expect((await call('PATCH', `${base}/roles/${staff.id as string}`, { name: 'renamed' })).status).toBe(400);
  });
});

describe('groups and members', () => {
  let groupId: string;

  it('a member holds the group roles in the next token; a user sees their groups; removal takes them away', async () => {
    const group = await call('POST', `${base}/groups`, { name: 'Forecasters', roles: [{ api: WEATHER_API, roles: ['observer'] }, { api: null, roles: ['staff'] }] });
    expect(group.status).toBe(201);
    groupId = group.body.id as string;
    const bob = await userId(BOB.username);
    const added = await call('POST', `${base}/groups/${groupId}/members`, { userId: bob });
    expect(added.status).toBe(201);
    expect((await call('POST', `${base}/groups/${groupId}/members`, { userId: bob })).status).toBe(409);
    expect((await signIn(BOB.username, BOB.password)).roles.sort()).toEqual(['observer', 'staff']);
    expect((await call('GET', `${base}/users/${bob}/groups`)).body.items).toEqual([{ id: groupId, name: 'Forecasters' }]);
    expect((await call('GET', `${base}/groups/${groupId}/members`)).body.items!.map((m) => m.userId)).toEqual([bob]);
    expect((await call('DELETE', `${base}/groups/${groupId}/members/${bob}`)).status).toBe(204);
    expect((await signIn(BOB.username, BOB.password)).roles).toEqual([]);
  });

  it('refuses unknown members and APIs, duplicate names, and a role still granted', async () => {
    expect((await call('POST', `${base}/groups/${groupId}/members`, { userId: '00000000-0000-4000-8000-000000000000' })).body.errors?.[0]?.path).toBe('/userId');
    expect((await call('POST', `${base}/groups/not-a-group/members`, { userId: 'x' })).status).toBe(404);
    expect((await call('POST', `${base}/groups`, { name: 'forecasters' })).body.errors?.[0]?.path).toBe('/name');
    expect((await call('POST', `${base}/groups`, { name: 'Other', roles: [{ api: 'api://nowhere', roles: ['x'] }] })).body.errors?.[0]?.path).toBe('/roles/0/api');
    const forecaster = (await call('GET', `${base}/roles?api=${encodeURIComponent(WEATHER_API)}`)).body.items!.find((r) => r.name === 'observer')!;
    const inUse = await call('DELETE', `${base}/roles/${forecaster.id as string}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.code).toBe('role.in_use');
    expect((await call('DELETE', `${base}/groups/${groupId}`)).status).toBe(204);
    expect((await call('DELETE', `${base}/roles/${forecaster.id as string}`)).status).toBe(204);
  });

  it('gives a user direct roles through the user resource', async () => {
    const alice = await userId(ALICE.username);
    const updated = await call('PATCH', `${base}/users/${alice}`, { roles: [{ api: WEATHER_API, roles: ['editor'] }] });
    expect(updated.status).toBe(200);
    expect((await signIn(ALICE.username, ALICE.password)).roles).toEqual(['editor']);
    expect((await call('PATCH', `${base}/users/${alice}`, { roles: [{ api: 'api://nowhere', roles: ['x'] }] })).body.errors?.[0]?.path).toBe('/roles/0/api');
  });
});

describe('consent', () => {
  it("lists a user's consents and revokes one: the refresh token stops working", async () => {
    const { tokens } = await signIn(ALICE.username, ALICE.password);
    const alice = await userId(ALICE.username);
    const consents = await call('GET', `${base}/users/${alice}/consents`);
    const consent = consents.body.items!.find((item) => item.clientId === WEB.clientId)!;
    expect(consent.apis).toEqual([{ api: WEATHER_API, apiName: 'Weather API', scopes: [{ name: 'weather.read', description: 'Read weather forecasts' }] }]);
    expect((await call('DELETE', `${base}/users/${alice}/consents/${WEB.clientId}`)).status).toBe(204);
    await expect(oidc.refreshTokenGrant(web, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await call('GET', `${base}/users/${alice}/consents/${WEB.clientId}`)).status).toBe(404);
  });

  it('admin consent: nobody is asked for what it covers; daemons and unknown scopes are refused', async () => {
    const granted = await call('POST', `${base}/admin-consents`, { clientId: WEB.clientId, api: WEATHER_API, scopes: ['weather.read'] });
    expect(granted.status).toBe(201);
    expect((await call('POST', `${base}/admin-consents`, { clientId: WEB.clientId, api: 'openid', scopes: ['openid', 'offline_access'] })).status).toBe(201);
    const { pages } = await signIn(ALICE.username, ALICE.password);
    expect(pages).toEqual(['login']);
    const daemon = await call('POST', `${base}/admin-consents`, { clientId: DAEMON.clientId, api: WEATHER_API, scopes: ['weather.read'] });
    expect(daemon.status).toBe(400);
    expect(daemon.body.code).toBe('consent.daemon_application');
    const unknown = await call('POST', `${base}/admin-consents`, { clientId: WEB.clientId, api: WEATHER_API, scopes: ['weather.delete'] });
    expect(unknown.status).toBe(400);
    expect((await call('POST', `${base}/admin-consents`, { clientId: WEB.clientId, api: WEATHER_API, scopes: ['with space'] })).body.errors?.[0]?.path).toBe('/scopes/0');
    const list = await call('GET', `${base}/admin-consents?clientId=${WEB.clientId}`);
    expect(list.body.items).toHaveLength(2);
    expect((await call('DELETE', `${base}/admin-consents/${granted.body.id as string}`)).status).toBe(204);
    const events = await call('GET', `${base}/audit-events?type=admin_consent.deleted`);
    expect(events.body.items![0]!.actor).toBe('client:tessera-admin@admin');
  });
});
