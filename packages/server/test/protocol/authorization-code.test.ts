import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE, authorizeThroughPages, BOB, createPkce, csrfOf, discoverClient, protocolConfig, readDatabase, SPA, TENANT, WEATHER_API, WEB,
} from '../support/fixtures.js';
import { createHttpClient, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * Authorization code with PKCE (RFC 6749 §4.1, RFC 7636) through the real sign-in and consent
 * pages, as a browser walks them; the ID token checked by openid-client and the access token
 * by jose. Then every way the flow must refuse.
 */

let server: TestServer;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let web: oidc.Configuration;
let spa: oidc.Configuration;
let userIds: Record<string, string>;
/** Alice's browser: signed in by the first test, reused by later ones. */
const alice = createHttpClient();

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  issuer = server.issuer(TENANT);
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  const users = await readDatabase(server, (db) => db.selectFrom('users').select(['id', 'username']).execute());
  userIds = Object.fromEntries(users.map((user) => [user.username, user.id]));
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  spa = await discoverClient(server, SPA.clientId, oidc.None());
});
afterAll(() => server?.dispose());

interface Started {
  url: URL;
  verifier: string;
  nonce: string;
  state: string;
}

async function startAuthorization(config: oidc.Configuration, redirectUri: string, scope: string, extra: Record<string, string> = {}): Promise<Started> {
  const pkce = await createPkce();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, nonce, state, code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra,
  });
  return { url, verifier: pkce.verifier, nonce, state };
}

/** Signs in (if needed), consents, and redeems the code. */
async function signIn(http: HttpClient, config: oidc.Configuration, redirectUri: string, scope: string, user: { username: string; password: string } = ALICE) {
  const started = await startAuthorization(config, redirectUri, scope);
  const walk = await authorizeThroughPages(http, started.url, { redirectUri, login: user.username, password: user.password });
  const tokens = await oidc.authorizationCodeGrant(config, walk.callback, {
    pkceCodeVerifier: started.verifier, expectedNonce: started.nonce, expectedState: started.state,
  });
  const access = await jwtVerify(tokens.access_token, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
  return { walk, tokens, idToken: tokens.claims()!, access: access.payload, started };
}

/** The authorization request, without following: where the server sends the browser. */
async function authorizationRedirect(http: HttpClient, url: URL): Promise<{ status: number; location: URL | undefined }> {
  const response = await http.fetch(url);
  await response.body?.cancel();
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location, url) : undefined };
}

const READ = `openid profile ${WEATHER_API}/weather.read`;
const results: { web?: JWTPayload; webIdToken?: oidc.IDToken } = {};

describe('sign-in through the pages', () => {
  it('signs alice in, asks consent, and redeems the code with PKCE for an ID token and an API token', async () => {
    const { walk, tokens, idToken, access, started } = await signIn(alice, web, WEB.redirectUri, READ);
    expect(walk.pages).toEqual(['login', 'consent']);
    expect(walk.callback.searchParams.get('state')).toBe(started.state);
    // RFC 9207: the issuer is named in the authorization response.
    expect(walk.callback.searchParams.get('iss')).toBe(issuer);

    expect(idToken).toMatchObject({ iss: issuer, aud: WEB.clientId, nonce: started.nonce, sub: expect.any(String) });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeUndefined();

    expect(access).toMatchObject({
      iss: issuer,
      aud: WEATHER_API,
      scope: 'weather.read',
      client_id: WEB.clientId,
      azp: WEB.clientId,
      tid: TENANT,
      oid: userIds.alice,
      roles: [...ALICE.weatherRoles],
      name: ALICE.name,
      preferred_username: ALICE.username,
    });
    // The access token's sub is the same pairwise value as the ID token's, not the user id.
    expect(access.sub).toBe(idToken.sub);
    expect(access.sub).not.toBe(userIds.alice);
    expect(access.nbf).toBe(access.iat);
    results.web = access;
    results.webIdToken = idToken;
  });

  it('gives another application a different sub for the same user, and the same oid', async () => {
    const { walk, idToken, access } = await signIn(alice, spa, SPA.redirectUri, READ);
    // Alice is already signed in; the SPA still needs its own consent.
    expect(walk.pages).toEqual(['consent']);
    expect(idToken.aud).toBe(SPA.clientId);
    expect(access.oid).toBe(userIds.alice);
    expect(access.oid).toBe(results.web?.oid);
    expect(access.sub).not.toBe(results.web?.sub);
    expect(idToken.sub).not.toBe(results.webIdToken?.sub);
    expect(access.client_id).toBe(SPA.clientId);
  });

  it('remembers consent: the same request again goes straight back to the application', async () => {
    const { walk, access } = await signIn(alice, web, WEB.redirectUri, READ);
    expect(walk.pages).toEqual([]);
    expect(access.sub).toBe(results.web?.sub);
  });

  it('leaves names out of the access token without the profile scope, and roles out for a user without any', async () => {
    const bob = createHttpClient();
    const { walk, access, idToken } = await signIn(bob, web, WEB.redirectUri, `openid ${WEATHER_API}/weather.read`, BOB);
    expect(walk.pages).toEqual(['login', 'consent']);
    expect(access).toMatchObject({ oid: userIds.bob, scope: 'weather.read', aud: WEATHER_API });
    for (const claim of ['name', 'preferred_username', 'roles']) expect(access).not.toHaveProperty(claim);
    for (const claim of ['name', 'preferred_username', 'email', 'email_verified']) expect(idToken).not.toHaveProperty(claim);
  });

  it('puts the granted profile and email claims in the ID token, also when the access token is only good at UserInfo', async () => {
    // No API asked for: the access token is opaque, for UserInfo. Relying parties that read only
    // the ID token (Auth.js, ASP.NET Core) still get the claims (create-provider.ts, conformIdTokenClaims).
    const started = await startAuthorization(web, WEB.redirectUri, 'openid profile email');
    const walk = await authorizeThroughPages(alice, started.url, { redirectUri: WEB.redirectUri });
    const tokens = await oidc.authorizationCodeGrant(web, walk.callback, {
      pkceCodeVerifier: started.verifier, expectedNonce: started.nonce, expectedState: started.state,
    });
    const expected = { name: ALICE.name, preferred_username: ALICE.username, email: ALICE.email, email_verified: true };
    expect(tokens.claims()).toMatchObject(expected);
    const idToken = tokens.claims()!;
    expect(await oidc.fetchUserInfo(web, tokens.access_token, idToken.sub)).toMatchObject({ sub: idToken.sub, ...expected });
  });

  // Regression (issue 2): names used to follow every scope ever granted, not this request's.
  it('leaves names out when this request omits profile, even though an earlier one was granted it', async () => {
    const { walk, access, tokens } = await signIn(alice, web, WEB.redirectUri, `openid ${WEATHER_API}/weather.read`);
    expect(walk.pages).toEqual([]);
    expect(access.oid).toBe(userIds.alice);
    expect(String(tokens.scope ?? '').split(' ')).not.toContain('profile');
    expect(String(access.scope).split(' ')).not.toContain('profile');
    expect(access).not.toHaveProperty('name');
    expect(access).not.toHaveProperty('preferred_username');
  });

  it('sends access_denied to the application when the user denies consent', async () => {
    const started = await startAuthorization(web, WEB.redirectUri, READ);
    const walk = await authorizeThroughPages(createHttpClient(), started.url, {
      redirectUri: WEB.redirectUri, login: BOB.email, password: BOB.password, consent: 'deny',
    });
    expect(walk.pages).toEqual(['login', 'consent']);
    expect(walk.callback.searchParams.get('error')).toBe('access_denied');
    expect(walk.callback.searchParams.get('state')).toBe(started.state);
    expect(walk.callback.searchParams.has('code')).toBe(false);
    await expect(oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: started.verifier, expectedState: started.state }))
      .rejects.toMatchObject({ error: 'access_denied' });
  });
});

describe('refused authorization requests', () => {
  it('shows a 400 error page, never a redirect, for an unregistered redirect_uri', async () => {
    const { url } = await startAuthorization(web, 'https://evil.example/callback', READ);
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('invalid_redirect_uri');
    expect(html).not.toContain('https://evil.example/callback?');
  });

  it.each([
    ['without code_challenge', { code_challenge: '', code_challenge_method: '' }],
    ['with code_challenge_method=plain', { code_challenge_method: 'plain' }],
  ])('redirects with invalid_request %s', async (_name, override) => {
    const { url, state } = await startAuthorization(web, WEB.redirectUri, READ);
    for (const [key, value] of Object.entries(override)) {
      if (value) url.searchParams.set(key, value);
      else url.searchParams.delete(key);
    }
    if (override.code_challenge_method === 'plain') url.searchParams.set('code_challenge', 'a'.repeat(43));
    const { status, location } = await authorizationRedirect(alice, url);
    expect(status).toBe(303);
    expect(location?.href.startsWith(WEB.redirectUri)).toBe(true);
    expect(location?.searchParams.get('error')).toBe('invalid_request');
    expect(location?.searchParams.get('state')).toBe(state);
    expect(location?.searchParams.has('code')).toBe(false);
  });

  it.each([
    ['an API scope the API does not define', `openid ${WEATHER_API}/weather.delete`],
    ['a scope no API defines', 'openid frobnicate'],
  ])('redirects with invalid_scope for %s', async (_name, scope) => {
    const { url } = await startAuthorization(web, WEB.redirectUri, scope);
    const { status, location } = await authorizationRedirect(alice, url);
    expect(status).toBe(303);
    expect(location?.searchParams.get('error')).toBe('invalid_scope');
    expect(location?.searchParams.has('code')).toBe(false);
  });

  it('refuses the code with a wrong code_verifier (invalid_grant)', async () => {
    const started = await startAuthorization(web, WEB.redirectUri, READ);
    const walk = await authorizeThroughPages(alice, started.url, { redirectUri: WEB.redirectUri });
    expect(walk.callback.searchParams.get('code')).toBeTruthy();
    const wrong = oidc.randomPKCECodeVerifier();
    await expect(oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: wrong, expectedNonce: started.nonce, expectedState: started.state }))
      .rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });
});

describe('the sign-in form', () => {
  const GENERIC = 'Incorrect username, email or password.';

  async function openLoginPage(http: HttpClient) {
    const { url } = await startAuthorization(web, WEB.redirectUri, READ);
    const step = await http.follow(url, undefined, { stopAt: (u) => u.href.startsWith(WEB.redirectUri) });
    const html = await step.response.text();
    expect(step.response.status).toBe(200);
    expect(html).toContain('autocomplete="username webauthn"');
    expect(html).toContain('autocomplete="current-password"');
    return { pageUrl: step.url, csrf: csrfOf(html) };
  }

  async function submit(http: HttpClient, pageUrl: string, fields: Record<string, string>) {
    const response = await http.fetch(pageUrl, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields),
    });
    return { status: response.status, html: await response.text(), location: response.headers.get('location') };
  }

  it('answers a wrong password and an unknown user with the same generic message', async () => {
    const http = createHttpClient();
    const { pageUrl, csrf } = await openLoginPage(http);
    const wrongPassword = await submit(http, pageUrl, { csrf, identifier: ALICE.username, password: 'not alice’s password' });
    const unknownUser = await submit(http, pageUrl, { csrf, identifier: 'mallory', password: 'whatever-password' });
    for (const reply of [wrongPassword, unknownUser]) {
      expect(reply.status).toBe(400);
      expect(reply.location).toBeNull();
      expect(reply.html).toContain(GENERIC);
      expect(reply.html).toContain('name="password"');
    }
    // The page must not tell which one it was.
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    expect(strip(wrongPassword.html)).toBe(strip(unknownUser.html));
  });

  it('refuses a form without its CSRF token with 403, and signs no one in', async () => {
    const http = createHttpClient();
    const { pageUrl, csrf } = await openLoginPage(http);
    const missing = await submit(http, pageUrl, { identifier: ALICE.username, password: ALICE.password });
    expect(missing.status).toBe(403);
    expect(missing.location).toBeNull();
    const forged = await submit(http, pageUrl, { csrf: `${csrf.slice(0, -2)}AA`, identifier: ALICE.username, password: ALICE.password });
    expect(forged.status).toBe(403);
    // Still the sign-in form: the interaction has no user.
    const again = await http.fetch(pageUrl);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('name="password"');
  });

  it('refuses a CSRF token taken from another sign-in', async () => {
    const http = createHttpClient();
    const first = await openLoginPage(http);
    const second = await openLoginPage(http);
    const reply = await submit(http, second.pageUrl, { csrf: first.csrf, identifier: ALICE.username, password: ALICE.password });
    expect(reply.status).toBe(403);
  });
});

describe('audit', () => {
  it('records failed sign-ins with their reason, and successful ones', async () => {
    const rows = await readDatabase(server, (db) => db.selectFrom('audit_events').selectAll()
      .where('type', 'in', ['signin.failed', 'signin.succeeded', 'token.issued']).execute(), { restart: false });
    const failed = rows.filter((row) => row.type === 'signin.failed');
    expect(failed).toEqual(expect.arrayContaining([
      expect.objectContaining({ outcome: 'failure', subject: userIds.alice, client_id: WEB.clientId, data: expect.objectContaining({ reason: 'wrong_password' }) }),
      expect.objectContaining({ outcome: 'failure', subject: null, client_id: WEB.clientId, data: expect.objectContaining({ reason: 'unknown_identifier' }) }),
    ]));
    expect(failed).toHaveLength(2);
    for (const row of failed) expect(JSON.stringify(row.data)).not.toContain('password’s');

    const succeeded = rows.filter((row) => row.type === 'signin.succeeded');
    // alice once (her session served every later request), bob twice (two fresh browsers). The
    // CSRF-refused posts signed no one in.
    expect(succeeded.map((row) => row.subject).sort()).toEqual([userIds.alice, userIds.bob, userIds.bob].sort());

    const codeTokens = rows.filter((row) => row.type === 'token.issued' && row.data.grantType === 'authorization_code');
    // Five for the weather API; one good only at UserInfo, which has no audience to record.
    expect(codeTokens.map((row) => row.data.audience ?? null).sort()).toEqual([...Array<string>(5).fill(WEATHER_API), null].sort());
  });

  it('stamps last_sign_in_at with the newest session of each user who signed in', async () => {
    const { users, sessions } = await readDatabase(server, async (db) => ({
      users: await db.selectFrom('users').select(['id', 'last_sign_in_at']).execute(),
      sessions: await db.selectFrom('account_sessions').select(['user_id', 'authenticated_at']).execute(),
    }), { restart: false });
    for (const userId of [userIds.alice, userIds.bob]) {
      const newest = Math.max(...sessions.filter((row) => row.user_id === userId).map((row) => new Date(row.authenticated_at).getTime()));
      const user = users.find((row) => row.id === userId);
      expect(user?.last_sign_in_at && new Date(user.last_sign_in_at).getTime()).toBe(newest);
    }
  });
});
