import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeThroughPages, createPkce, DAEMON, discoverClient, protocolConfig, SPA, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { basicAuth, createHttpClient, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * Token revocation (RFC 7009): a client revokes its own refresh and access tokens; an unknown
 * token is still 200 (§2.2); another client's token is left alone.
 */

let server: TestServer;
let web: oidc.Configuration;
let daemon: oidc.Configuration;
const http = createHttpClient();

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  daemon = await discoverClient(server, DAEMON.clientId, oidc.ClientSecretBasic(DAEMON.secret));
});
afterAll(() => server?.dispose());

async function signIn() {
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope: `openid offline_access ${WEATHER_API}/weather.read`, state,
    code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: WEB.redirectUri });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  return { access_token: tokens.access_token, refresh_token: tokens.refresh_token! };
}

async function revokeRaw(body: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${server.issuer(TENANT)}/token/revocation`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form(body),
  });
}

describe('own tokens', () => {
  it('a revoked refresh token no longer refreshes (invalid_grant) and introspects as inactive', async () => {
    const tokens = await signIn();
    await oidc.tokenRevocation(web, tokens.refresh_token, { token_type_hint: 'refresh_token' });
    await expect(oidc.refreshTokenGrant(web, tokens.refresh_token)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    expect(await oidc.tokenIntrospection(web, tokens.refresh_token)).toEqual({ active: false });
  });

  it('a revoked JWT access token introspects as inactive, for its client and for the API', async () => {
    const tokens = await signIn();
    expect((await oidc.tokenIntrospection(web, tokens.access_token)).active).toBe(true);
    await oidc.tokenRevocation(web, tokens.access_token, { token_type_hint: 'access_token' });
    expect(await oidc.tokenIntrospection(web, tokens.access_token)).toEqual({ active: false });
    expect(await oidc.tokenIntrospection(daemon, tokens.access_token)).toEqual({ active: false });
    // Revoking twice is fine (RFC 7009 §2.2).
    await oidc.tokenRevocation(web, tokens.access_token);
  });

  it("a daemon revokes its client_credentials token", async () => {
    const tokens = await oidc.clientCredentialsGrant(daemon, { scope: `${WEATHER_API}/.default` });
    await oidc.tokenRevocation(daemon, tokens.access_token);
    expect(await oidc.tokenIntrospection(daemon, tokens.access_token)).toEqual({ active: false });
  });
});

describe('other tokens', () => {
  it('answers 200 for an unknown or malformed token', async () => {
    for (const token of ['unknown-token', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln']) {
      const res = await revokeRaw({ token }, { authorization: basicAuth(WEB.clientId, WEB.secret) });
      expect(res.status).toBe(200);
    }
  });

  it("does not revoke another client's tokens", async () => {
    const tokens = await signIn();
    // A confidential client is told it may not (oidc-provider's default policy); the token lives on.
    const refresh = await revokeRaw({ token: tokens.refresh_token }, { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) });
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_request' });
    const access = await revokeRaw({ token: tokens.access_token }, { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) });
    expect(access.status).toBe(400);
    // A public client is answered 200 but nothing happens.
    const spa = await revokeRaw({ token: tokens.refresh_token, client_id: SPA.clientId });
    expect(spa.status).toBe(200);
    expect((await oidc.tokenIntrospection(web, tokens.access_token)).active).toBe(true);
    expect((await oidc.tokenIntrospection(web, tokens.refresh_token)).active).toBe(true);
    const refreshed = await oidc.refreshTokenGrant(web, tokens.refresh_token);
    expect(refreshed.access_token).toEqual(expect.any(String));
  });

  it('refuses a wrong secret with 401 invalid_client', async () => {
    const res = await revokeRaw({ token: 'x' }, { authorization: basicAuth(WEB.clientId, 'wrong') });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });
});
