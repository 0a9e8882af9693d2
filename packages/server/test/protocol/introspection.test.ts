import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeThroughPages, createPkce, DAEMON, discoverClient, protocolConfig, REPORTS_DAEMON, SPA, TENANT, WEATHER_API, WEB,
} from '../support/fixtures.js';
import { basicAuth, createHttpClient, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * Token introspection (RFC 7662): confidential applications only; an application learns about
 * its own tokens and about access tokens for an API it holds a permission or app role for;
 * everything else — expired, revoked, unknown, not its business — is `active: false`.
 */

let server: TestServer;
let web: oidc.Configuration;
let daemon: oidc.Configuration;
let reportsDaemon: oidc.Configuration;
let user: { access_token: string; refresh_token: string };
const http = createHttpClient();

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  daemon = await discoverClient(server, DAEMON.clientId, oidc.ClientSecretPost(DAEMON.secret));
  reportsDaemon = await discoverClient(server, REPORTS_DAEMON.clientId, oidc.ClientSecretBasic(REPORTS_DAEMON.secret));
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope: `openid offline_access ${WEATHER_API}/weather.read`, state,
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: WEB.redirectUri });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  user = { access_token: tokens.access_token, refresh_token: tokens.refresh_token! };
});
afterAll(() => server?.dispose());

async function introspectRaw(body: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${server.issuer(TENANT)}/token/introspection`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(body),
  });
}

describe('discovery', () => {
  it('advertises the introspection endpoint', async () => {
    expect(web.serverMetadata().introspection_endpoint).toBe(`${server.issuer(TENANT)}/token/introspection`);
  });
});

describe('active tokens', () => {
  it("describes a user's JWT access token to the application it was issued to", async () => {
    const result = await oidc.tokenIntrospection(web, user.access_token);
    const now = Math.floor(Date.now() / 1000);
    expect(result).toMatchObject({
      active: true, client_id: WEB.clientId, scope: 'weather.read', aud: WEATHER_API, iss: server.issuer(TENANT),
      sub: expect.any(String), jti: expect.any(String), token_type: 'Bearer',
    });
    expect(result.exp).toBeGreaterThan(now);
  });

  it("describes a daemon's client_credentials token to the daemon", async () => {
    const tokens = await oidc.clientCredentialsGrant(daemon, { scope: `${WEATHER_API}/.default` });
    const result = await oidc.tokenIntrospection(daemon, tokens.access_token);
    expect(result).toMatchObject({ active: true, client_id: DAEMON.clientId, aud: WEATHER_API, sub: DAEMON.clientId, roles: ['app.weather'] });
  });

  it("describes a user's token to an application with an app role on the token's API (a resource server)", async () => {
    const result = await oidc.tokenIntrospection(daemon, user.access_token);
    expect(result).toMatchObject({ active: true, client_id: WEB.clientId, aud: WEATHER_API });
  });

  it('describes a refresh token to its own application, with a token_type_hint or without', async () => {
    const hinted = await oidc.tokenIntrospection(web, user.refresh_token, { token_type_hint: 'refresh_token' });
    expect(hinted).toMatchObject({ active: true, client_id: WEB.clientId, sub: expect.any(String) });
    expect(hinted.exp).toBeGreaterThan(Math.floor(Date.now() / 1000));
    const plain = await oidc.tokenIntrospection(web, user.refresh_token);
    expect(plain.active).toBe(true);
  });
});

describe('inactive', () => {
  it('says active:false, and nothing else, for an application with no right to the token', async () => {
    // reports-daemon has no role on the weather API and is not the token's client.
    expect(await oidc.tokenIntrospection(reportsDaemon, user.access_token)).toEqual({ active: false });
    // A refresh token is its client's alone, whatever roles the caller holds.
    expect(await oidc.tokenIntrospection(daemon, user.refresh_token)).toEqual({ active: false });
  });

  it('says active:false for garbage, a malformed JWT and a JWT signed by someone else', async () => {
    expect(await oidc.tokenIntrospection(web, 'not-a-token')).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(web, 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln')).toEqual({ active: false });
    const [header, payload] = user.access_token.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    expect(await oidc.tokenIntrospection(web, forged)).toEqual({ active: false });
  });

  it('says active:false for a token whose issuer was altered', async () => {
    const [header, payload, signature] = user.access_token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const other = Buffer.from(JSON.stringify({ ...claims, iss: `${server.url}/other` })).toString('base64url');
    expect(await oidc.tokenIntrospection(web, `${header}.${other}.${signature}`)).toEqual({ active: false });
  });
});

describe('client authentication', () => {
  it('refuses a public client with 401 invalid_client', async () => {
    const res = await introspectRaw({ token: user.access_token, client_id: SPA.clientId });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    const refresh = await introspectRaw({ token: 'anything', client_id: SPA.clientId });
    expect(refresh.status).toBe(401);
  });

  it('refuses a wrong secret and a missing client with OAuth errors', async () => {
    const wrong = await introspectRaw({ token: user.access_token }, { authorization: basicAuth(WEB.clientId, 'wrong-secret') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client', correlation_id: expect.any(String) });
    const none = await introspectRaw({ token: user.access_token });
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('requires the token parameter', async () => {
    const res = await introspectRaw({}, { authorization: basicAuth(WEB.clientId, WEB.secret) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});
