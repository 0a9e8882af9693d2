import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeThroughPages, createPkce, discoverClient, protocolConfig, WEB } from '../support/fixtures.js';
import { createHttpClient, startTestServer, type TestServer } from '../support/index.js';

/**
 * Redirect URIs match exactly (RFC 9700 §4.1.3), with one exception for native apps: a loopback
 * redirect URI matches on any port (RFC 8252 §7.3), because a desktop app or CLI listens on
 * whatever port the operating system gives it. oidc-provider applies the exception to
 * `application_type: native` for http:// on 127.0.0.1, [::1] and localhost alike
 * (lib/models/client.js, stripLoopbackPort); scheme, host, path and query still match exactly.
 */

const NATIVE = { clientId: 'desktop-app', redirectUris: ['http://127.0.0.1/callback', 'http://localhost/callback'] } as const;

let server: TestServer;
let native: oidc.Configuration;
let web: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer({
    config: protocolConfig({ extraApplications: [{ clientId: NATIVE.clientId, name: 'Desktop app', type: 'native', redirectUris: [...NATIVE.redirectUris] }] }),
  });
  native = await discoverClient(server, NATIVE.clientId, oidc.None());
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
});
afterAll(() => server?.dispose());

async function authorizationUrl(config: oidc.Configuration, redirectUri: string) {
  const pkce = await createPkce();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid profile', state, nonce, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  return { url, state, nonce, verifier: pkce.verifier };
}

/** Signs alice in through the pages and redeems the code, with the redirect URI as the app sent it. */
async function signIn(config: oidc.Configuration, redirectUri: string) {
  const started = await authorizationUrl(config, redirectUri);
  const walk = await authorizeThroughPages(createHttpClient(), started.url, { redirectUri });
  expect(walk.callback.origin + walk.callback.pathname).toBe(redirectUri);
  return oidc.authorizationCodeGrant(config, walk.callback, {
    pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce,
  });
}

/** The authorization endpoint's answer for a redirect URI it must refuse: an error page, never a redirect. */
async function expectRefused(config: oidc.Configuration, redirectUri: string): Promise<void> {
  const { url } = await authorizationUrl(config, redirectUri);
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status, redirectUri).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await response.text()).toContain('invalid_redirect_uri');
}

describe('native apps: loopback redirect URIs on any port (RFC 8252 §7.3)', () => {
  it('signs in with http://127.0.0.1:53124/callback when http://127.0.0.1/callback is registered', async () => {
    const tokens = await signIn(native, 'http://127.0.0.1:53124/callback');
    expect(tokens.claims()).toMatchObject({ aud: NATIVE.clientId, sub: expect.any(String) });
  });

  it('does the same for localhost, which oidc-provider treats like the IP literals', async () => {
    const tokens = await signIn(native, 'http://localhost:61000/callback');
    expect(tokens.claims()?.aud).toBe(NATIVE.clientId);
  });

  it('the code is bound to the port it was issued for: redeeming it with another port is invalid_grant', async () => {
    const started = await authorizationUrl(native, 'http://127.0.0.1:53124/callback');
    const walk = await authorizeThroughPages(createHttpClient(), started.url, { redirectUri: 'http://127.0.0.1:53124/callback' });
    const elsewhere = new URL(walk.callback);
    elsewhere.port = '53125';
    await expect(oidc.authorizationCodeGrant(native, elsewhere, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }))
      .rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it.each([
    ['another path', 'http://127.0.0.1:53124/other'],
    ['a trailing slash', 'http://127.0.0.1:53124/callback/'],
    ['an added query parameter', 'http://127.0.0.1:53124/callback?x=1'],
    ['https instead of http', 'https://127.0.0.1:53124/callback'],
    ['another loopback address than registered', 'http://[::1]:53124/callback'],
  ])('still refuses %s', async (_name, redirectUri) => {
    await expectRefused(native, redirectUri);
  });
});

describe('other apps: exact match (RFC 9700 §4.1.3)', () => {
  it('signs in with the registered URI', async () => {
    const tokens = await signIn(web, WEB.redirectUri);
    expect(tokens.claims()?.aud).toBe(WEB.clientId);
  });

  it.each([
    ['another port', 'http://127.0.0.1:5001/signin-oidc'],
    ['no port', 'http://127.0.0.1/signin-oidc'],
    ['a trailing slash', `${WEB.redirectUri}/`],
    ['another case in the path', 'http://127.0.0.1:5000/Signin-OIDC'],
    ['an added query parameter', `${WEB.redirectUri}?next=/admin`],
    ['localhost for 127.0.0.1', 'http://localhost:5000/signin-oidc'],
  ])('refuses %s with an error page and no redirect', async (_name, redirectUri) => {
    await expectRefused(web, redirectUri);
  });
});
