import * as oidc from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE, authorizeThroughPages, BOB, createPkce, DAEMON, discoverClient, jwtClaims, protocolConfig, REPORTS_API,
  readDatabase, REPORTS_TOKEN_LIFETIME, SPA, TENANT, WEATHER_API, WEB, type ConfigOptions,
} from '../support/fixtures.js';
import { basicAuth, createHttpClient, form, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * On-behalf-of (RFC 8693 token exchange, and MSAL's jwt-bearer form): the Weather API's own
 * web application (`weather`, so its API is api://weather) exchanges a user's token for the
 * Weather API for one to the Reports API, as that user; the Reports API's application
 * (`reports`) can go one step further, and the `act` claim records the chain.
 */

const MIDDLE = { clientId: 'weather', secret: 'weather-mid-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5001/signin-oidc' } as const;
const REPORTS_APP = { clientId: 'reports', secret: 'reports-mid-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5002/signin-oidc' } as const;
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const extraApplications: ConfigOptions['extraApplications'] = [
  {
    clientId: MIDDLE.clientId, name: 'Weather API (middle tier)', type: 'web', redirectUris: [MIDDLE.redirectUri],
    secrets: [{ value: MIDDLE.secret }], permissions: [{ api: REPORTS_API, scopes: ['reports.read'] }],
  },
  {
    clientId: REPORTS_APP.clientId, name: 'Reports API (middle tier)', type: 'web', redirectUris: [REPORTS_APP.redirectUri],
    secrets: [{ value: REPORTS_APP.secret }], permissions: [{ api: WEATHER_API, scopes: ['weather.read'] }],
  },
];

let server: TestServer;
let tokenUrl: string;
/** Alice's token for the Weather API, from weather-web, and the ID token she got at the middle tier. */
let alice: { access_token: string; id_token: string; middleSub: string };
let bobToken: string;

async function signIn(http: HttpClient, app: { clientId: string; secret: string; redirectUri: string }, scope: string, user: { username: string; password: string } = ALICE) {
  const config = await discoverClient(server, app.clientId, oidc.ClientSecretBasic(app.secret));
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: app.redirectUri, scope, state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: app.redirectUri, login: user.username, password: user.password });
  return oidc.authorizationCodeGrant(config, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
}

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({ extraApplications }) });
  tokenUrl = `${server.issuer(TENANT)}/token`;
  const http = createHttpClient();
  const web = await signIn(http, WEB, `openid ${WEATHER_API}/weather.read`);
  // Alice consents to the middle tiers for their downstream APIs (as Entra ID requires first).
  const middle = await signIn(http, MIDDLE, `openid ${REPORTS_API}/reports.read`);
  await signIn(http, REPORTS_APP, `openid ${WEATHER_API}/weather.read`);
  alice = { access_token: web.access_token, id_token: web.id_token!, middleSub: String(jwtClaims(middle.id_token!).sub) };
  // Bob signs in to weather-web only: he never consented to the middle tier.
  bobToken = (await signIn(createHttpClient(), WEB, `openid ${WEATHER_API}/weather.read`, BOB)).access_token;
});
afterAll(() => server?.dispose());

async function exchange(fields: Record<string, string | undefined>, app: { clientId: string; secret?: string } = MIDDLE) {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (app.secret) headers.authorization = basicAuth(app.clientId, app.secret);
  const res = await fetch(tokenUrl, {
    method: 'POST', headers, body: form({ ...(app.secret ? {} : { client_id: app.clientId }), ...fields }),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

const tokenExchange = (subject: string, extra: Record<string, string | undefined> = {}) =>
  ({ grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: ACCESS_TOKEN_TYPE, resource: REPORTS_API, ...extra });

describe('token exchange (RFC 8693)', () => {
  it("gives the middle tier a token for the downstream API as the same user, with act naming the middle tier", async () => {
    const { status, body } = await exchange(tokenExchange(alice.access_token, { scope: 'reports.read' }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', scope: 'reports.read', expires_in: REPORTS_TOKEN_LIFETIME });
    const subject = jwtClaims(alice.access_token);
    const issued = jwtClaims(String(body.access_token));
    expect(decodeProtectedHeader(String(body.access_token))).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(issued).toMatchObject({
      iss: server.issuer(TENANT), aud: REPORTS_API, scope: 'reports.read', client_id: MIDDLE.clientId, azp: MIDDLE.clientId,
      tid: TENANT, oid: subject.oid, roles: [...ALICE.reportsRoles], act: { sub: MIDDLE.clientId },
    });
    // sub is pairwise for the middle tier: the value its own sign-in gave, not weather-web's.
    expect(issued.sub).toBe(alice.middleSub);
    expect(issued.sub).not.toBe(subject.sub);
    expect(Number(issued.exp) - Number(issued.iat)).toBe(REPORTS_TOKEN_LIFETIME);
  });

  it('accepts audience in place of resource, and without scope gives what the user consented to', async () => {
    const { status, body } = await exchange(tokenExchange(alice.access_token, { resource: undefined, audience: REPORTS_API }));
    expect(status).toBe(200);
    expect(jwtClaims(String(body.access_token))).toMatchObject({ aud: REPORTS_API, scope: 'reports.read' });
  });

  it('nests act when the downstream API exchanges again (a chain)', async () => {
    const first = await exchange(tokenExchange(alice.access_token));
    const { status, body } = await exchange(
      tokenExchange(String(first.body.access_token), { resource: WEATHER_API }), REPORTS_APP,
    );
    expect(status).toBe(200);
    expect(jwtClaims(String(body.access_token))).toMatchObject({
      aud: WEATHER_API, scope: 'weather.read', client_id: REPORTS_APP.clientId, oid: jwtClaims(alice.access_token).oid,
      act: { sub: REPORTS_APP.clientId, act: { sub: MIDDLE.clientId } },
    });
  });
});

describe('jwt-bearer on_behalf_of (MSAL)', () => {
  it('exchanges with scope={api}/.default and requested_token_use=on_behalf_of', async () => {
    const { status, body } = await exchange({
      grant_type: JWT_BEARER, assertion: alice.access_token, requested_token_use: 'on_behalf_of', scope: `${REPORTS_API}/.default`,
    });
    expect(status).toBe(200);
    expect(body.issued_token_type).toBeUndefined();
    expect(jwtClaims(String(body.access_token))).toMatchObject({ aud: REPORTS_API, scope: 'reports.read', act: { sub: MIDDLE.clientId } });
  });

  it('refuses jwt-bearer without requested_token_use=on_behalf_of', async () => {
    const { status, body } = await exchange({ grant_type: JWT_BEARER, assertion: alice.access_token, scope: `${REPORTS_API}/.default` });
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
  });
});

describe('refusals', () => {
  it('refuses a token not issued for the caller’s API (invalid_grant)', async () => {
    // Alice's token is for api://weather; the reports application acts for api://reports only.
    const { status, body } = await exchange(tokenExchange(alice.access_token, { resource: WEATHER_API }), REPORTS_APP);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('api://reports') });
  });

  it('refuses an ID token, a forged signature and garbage (invalid_grant)', async () => {
    for (const subject of [alice.id_token, `${alice.access_token.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64).toString('base64url')}`, 'garbage']) {
      const { status, body } = await exchange(tokenExchange(subject));
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_grant');
    }
  });

  it('refuses a revoked token (invalid_grant)', async () => {
    const token = (await signIn(createHttpClient(), WEB, `openid ${WEATHER_API}/weather.read`)).access_token;
    const revoked = await fetch(`${tokenUrl}/revocation`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(WEB.clientId, WEB.secret) },
      body: form({ token }),
    });
    expect(revoked.status).toBe(200);
    const { status, body } = await exchange(tokenExchange(token));
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('revoked') });
  });

  it('refuses a daemon’s own token: there is no user to act for (invalid_grant)', async () => {
    const daemon = await discoverClient(server, DAEMON.clientId, oidc.ClientSecretBasic(DAEMON.secret));
    const { access_token } = await oidc.clientCredentialsGrant(daemon, { scope: `${WEATHER_API}/.default` });
    const { status, body } = await exchange(tokenExchange(access_token));
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('refuses a user who never consented to the middle tier for the downstream API (invalid_grant consent_required)', async () => {
    const { status, body } = await exchange(tokenExchange(bobToken));
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('consent_required') });
  });

  it('refuses a downstream API the caller has no permission on, or an unknown one (invalid_target)', async () => {
    for (const resource of [WEATHER_API, 'api://nowhere']) {
      const { status, body } = await exchange(tokenExchange(alice.access_token, { resource }));
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_target');
    }
    const missing = await exchange(tokenExchange(alice.access_token, { resource: undefined }));
    expect(missing.body.error).toBe('invalid_target');
  });

  it('refuses a scope the caller has no permission for (invalid_scope)', async () => {
    const { status, body } = await exchange(tokenExchange(alice.access_token, { resource: REPORTS_API, scope: 'weather.read' }));
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
  });

  it('refuses malformed requests (invalid_request)', async () => {
    const cases = [
      tokenExchange(alice.access_token, { subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }),
      tokenExchange(alice.access_token, { actor_token: alice.access_token, actor_token_type: ACCESS_TOKEN_TYPE }),
      tokenExchange(alice.access_token, { requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }),
      { grant_type: TOKEN_EXCHANGE, subject_token_type: ACCESS_TOKEN_TYPE, resource: REPORTS_API },
    ];
    for (const fields of cases) {
      const { status, body } = await exchange(fields);
      expect(status).toBe(400);
      expect(body.error).toBe('invalid_request');
    }
  });

  it('refuses a public client, a daemon and a wrong secret (invalid_request, invalid_client)', async () => {
    const spa = await exchange(tokenExchange(alice.access_token), { clientId: SPA.clientId });
    // Only web applications hold these grant types; oidc-provider answers invalid_request for the others.
    const notAllowed = { error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' };
    expect(spa).toMatchObject({ status: 400, body: notAllowed });
    const daemon = await exchange(tokenExchange(alice.access_token), DAEMON);
    expect(daemon).toMatchObject({ status: 400, body: notAllowed });
    const wrong = await exchange(tokenExchange(alice.access_token), { clientId: MIDDLE.clientId, secret: 'wrong-secret' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
  });
});

describe('audit', () => {
  // Last: on the embedded database, reading stops the server (dispose() cleans up).
  it('records each exchanged token as token.issued with the grant type, the caller and the user', async () => {
    const { body } = await exchange(tokenExchange(alice.access_token));
    const jti = jwtClaims(String(body.access_token)).jti;
    const rows = await readDatabase(server, (db) => db.selectFrom('audit_events').selectAll()
      .where('type', '=', 'token.issued').where('client_id', '=', MIDDLE.clientId).execute(), { restart: false });
    const row = rows.find((r) => r.data.jti === jti);
    expect(row).toMatchObject({
      actor: MIDDLE.clientId, subject: jwtClaims(alice.access_token).oid,
      data: { grantType: TOKEN_EXCHANGE, audience: REPORTS_API, refreshTokenIssued: false },
    });
    expect(JSON.stringify(row)).not.toContain(String(body.access_token));
  });
});
