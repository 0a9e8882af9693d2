import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  authorizeThroughPages, createPkce, DAEMON, discoverClient, protocolConfig, REPORTS_DAEMON, TENANT, WEATHER_API, WEB,
} from '../support/fixtures.js';
import { basicAuth, createHttpClient, startTestServer, type TestServer } from '../support/index.js';
import { createManagementCaller, managementToken, MANAGEMENT_ENV } from '../management/management-client.js';

/**
 * An API's allowed clients: when the list is set, only the applications it names get tokens for
 * the API, whatever permission or app role another one holds; every other client gets
 * `invalid_target` (RFC 8707 §2: a resource the server does not consider acceptable), at the
 * authorization endpoint and at the token endpoint for every grant. No list: today's rules.
 */

const PAYROLL_API = 'api://payroll';
const PAYROLL_DAEMON = { clientId: 'payroll-daemon', secret: 'payroll-secret-0123456789abcdef' } as const;
/** Holds the payroll app role too, but is not in the list. */
const INTRUDER = { clientId: 'intruder-daemon', secret: 'intruder-secret-0123456789abcdef' } as const;

/** The protocol fixture plus a payroll API that allows one daemon; weather-web holds a payroll permission it may not use. */
function config(): string {
  const file = parse(protocolConfig({
    extraApplications: [PAYROLL_DAEMON, INTRUDER].map((app) => ({
      clientId: app.clientId, type: 'daemon', secrets: [{ value: app.secret }], appRoles: [{ api: PAYROLL_API, roles: ['app.payroll'] }],
    })),
  })) as { tenants: { apis: unknown[]; applications: { clientId: string; permissions?: unknown[] }[] }[] };
  const tenant = file.tenants[0]!;
  tenant.apis.push({ identifier: PAYROLL_API, name: 'Payroll', scopes: ['payroll.read'], appRoles: ['app.payroll'], allowedClients: [PAYROLL_DAEMON.clientId] });
  tenant.applications.find((app) => app.clientId === WEB.clientId)!.permissions!.push({ api: PAYROLL_API, scopes: ['payroll.read'] });
  return stringify(file);
}

let server: TestServer;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let web: oidc.Configuration;
let adminToken: string;
const call = (...args: Parameters<ReturnType<typeof createManagementCaller>>) => createManagementCaller(server, () => adminToken)(...args);

beforeAll(async () => {
  server = await startTestServer({ config: config(), env: MANAGEMENT_ENV });
  issuer = server.issuer(TENANT);
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  adminToken = await managementToken(server);
});
afterAll(() => server?.dispose());

async function clientCredentials(client: { clientId: string; secret: string }, api: string) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client.clientId, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${api}/.default` }),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

/** Where the authorization endpoint sends the browser for weather-web asking `scope`, without following. */
async function authorizationRedirect(scope: string): Promise<URL> {
  const pkce = await createPkce();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope, state: 'st-1', nonce: 'n-1', code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const response = await createHttpClient().fetch(url);
  await response.body?.cancel();
  expect(response.status).toBe(303);
  return new URL(response.headers.get('location')!, url);
}

async function payrollApi(): Promise<Record<string, unknown>> {
  const reply = await call('GET', `/tenants/${TENANT}/apis?identifier=${encodeURIComponent(PAYROLL_API)}`);
  return reply.body.items![0]!;
}

describe('client credentials', () => {
  it('issues a token to a daemon the API allows', async () => {
    const reply = await clientCredentials(PAYROLL_DAEMON, PAYROLL_API);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const { payload } = await jwtVerify(reply.body.access_token as string, jwks, { issuer, audience: PAYROLL_API, typ: 'at+jwt' });
    expect(payload).toMatchObject({ client_id: PAYROLL_DAEMON.clientId, roles: ['app.payroll'] });
  });

  it('refuses a daemon with the app role that the list leaves out: 400 invalid_target', async () => {
    const reply = await clientCredentials(INTRUDER, PAYROLL_API);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ error: 'invalid_target', error_description: expect.stringContaining(PAYROLL_API) });
    expect(reply.body.access_token).toBeUndefined();
  });

  it('without a list the rules stay as they were: an app role gets a token, no app role is unauthorized_client', async () => {
    expect((await clientCredentials(DAEMON, WEATHER_API)).status).toBe(200);
    const refused = await clientCredentials(REPORTS_DAEMON, WEATHER_API);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('unauthorized_client');
  });
});

describe('user sign-in', () => {
  it('refuses a web app asking for a scope of an API that does not allow it, with an error redirect before any page', async () => {
    const location = await authorizationRedirect(`openid ${PAYROLL_API}/payroll.read`);
    expect(location.origin + location.pathname).toBe(WEB.redirectUri);
    expect(location.searchParams.get('error')).toBe('invalid_target');
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('signs the same web app in for an API without a list', async () => {
    const location = await authorizationRedirect(`openid ${WEATHER_API}/weather.read`);
    expect(location.searchParams.get('error')).toBeNull();
    expect(location.pathname).toContain('/interaction/');
  });
});

describe('management API', () => {
  it('shows the list, refuses an unknown client id at /allowedClients/N, and a change applies at once', async () => {
    const payroll = await payrollApi();
    expect(payroll.allowedClients).toEqual([PAYROLL_DAEMON.clientId]);

    const unknown = await call('PATCH', `/tenants/${TENANT}/apis/${payroll.id as string}`, { allowedClients: [PAYROLL_DAEMON.clientId, 'ghost-app'] });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.errors).toEqual([{ path: '/allowedClients/1', message: expect.stringContaining('ghost-app') }]);
    const malformed = await call('POST', `/tenants/${TENANT}/apis`, { identifier: 'api://ledger', name: 'Ledger', allowedClients: ['bad id!'] });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]?.path).toBe('/allowedClients/0');
    expect((await payrollApi()).allowedClients).toEqual([PAYROLL_DAEMON.clientId]);

    const added = await call('PATCH', `/tenants/${TENANT}/apis/${payroll.id as string}`, { allowedClients: [PAYROLL_DAEMON.clientId, INTRUDER.clientId] });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.allowedClients).toEqual([PAYROLL_DAEMON.clientId, INTRUDER.clientId]);
    expect((await clientCredentials(INTRUDER, PAYROLL_API)).status).toBe(200);

    const narrowed = await call('PATCH', `/tenants/${TENANT}/apis/${payroll.id as string}`, { allowedClients: [INTRUDER.clientId] });
    expect(narrowed.status).toBe(200);
    expect((await clientCredentials(PAYROLL_DAEMON, PAYROLL_API)).body.error).toBe('invalid_target');

    const cleared = await call('PATCH', `/tenants/${TENANT}/apis/${payroll.id as string}`, { allowedClients: null });
    expect(cleared.body.allowedClients).toBeNull();
    expect((await clientCredentials(PAYROLL_DAEMON, PAYROLL_API)).status).toBe(200);
  });

  it('a refresh token issued before the API restricted its clients no longer refreshes: invalid_target', async () => {
    const http = createHttpClient();
    const pkce = await createPkce();
    const url = oidc.buildAuthorizationUrl(web, {
      redirect_uri: WEB.redirectUri, scope: `openid offline_access ${WEATHER_API}/weather.read`, state: 'st-2', nonce: 'n-2',
      code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    const walk = await authorizeThroughPages(http, url, { redirectUri: WEB.redirectUri });
    const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: 'st-2', expectedNonce: 'n-2' });
    expect(tokens.refresh_token).toBeTruthy();

    const weather = (await call('GET', `/tenants/${TENANT}/apis?identifier=${encodeURIComponent(WEATHER_API)}`)).body.items![0]!;
    expect(weather.allowedClients).toBeNull();
    const restricted = await call('PATCH', `/tenants/${TENANT}/apis/${weather.id as string}`, { allowedClients: [DAEMON.clientId] });
    expect(restricted.status).toBe(200);

    const refused = await oidc.refreshTokenGrant(web, tokens.refresh_token!).then(() => undefined, (error: unknown) => error);
    expect(refused).toBeInstanceOf(oidc.ResponseBodyError);
    expect((refused as oidc.ResponseBodyError).error).toBe('invalid_target');
    expect((await clientCredentials(DAEMON, WEATHER_API)).status).toBe(200);
  });
});
