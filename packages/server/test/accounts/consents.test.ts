import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, authorizeThroughPages, BOB, createPkce, csrfOf, discoverClient, protocolConfig, readDatabase, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { signInApi } from '../support/flows.js';
import { createHttpClient, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * Users see and revoke what they allowed applications (docs/consent.md): the page
 * /{tenant}/account/consents and the JSON API /{tenant}/api/consents. Revoking deletes the
 * grant and what was issued under it: the refresh token fails with invalid_grant and the next
 * sign-in asks for consent again.
 */

const SCOPE = `openid offline_access ${WEATHER_API}/weather.read`;

let server: TestServer;
let web: oidc.Configuration;
let consentsPage: string;
let consentsApi: string;
/** Alice's browser: signed in through the sign-in page, so it holds her account session cookie. */
const browser = createHttpClient();

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  consentsPage = `${server.url}/${TENANT}/account/consents`;
  consentsApi = `${server.url}/${TENANT}/api/consents`;
});
afterAll(() => server?.dispose());

/** Signs Alice in to the web app through the pages; returns the pages shown and the refresh token. */
async function signInToWeb() {
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope: SCOPE, state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(browser, url, { redirectUri: WEB.redirectUri });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  expect(tokens.refresh_token).toEqual(expect.any(String));
  return { pages: walk.pages, refreshToken: tokens.refresh_token! };
}

async function expectInvalidGrant(refreshToken: string) {
  const error = await oidc.refreshTokenGrant(web, refreshToken).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(oidc.ResponseBodyError);
  expect((error as oidc.ResponseBodyError).error).toBe('invalid_grant');
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the connected applications page', () => {
  let refreshToken: string;

  it('lists each application with what was allowed, in the API’s words, and is linked from settings', async () => {
    const first = await signInToWeb();
    expect(first.pages).toEqual(['login', 'consent']);
    refreshToken = first.refreshToken;
    const response = await browser.fetch(consentsPage);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('<h2>Weather web</h2>');
    for (const words of ['Sign you in', 'Stay signed in to it when you are not using it', 'Read weather forecasts', `${WEATHER_API}/weather.read`]) {
      expect(html).toContain(words);
    }
    expect(html).toContain(`name="client_id" value="${WEB.clientId}"`);
    expect(html).not.toMatch(/<script|style=/);
    const settings = await browser.follow(`${server.url}/${TENANT}/account/settings`);
    expect(await settings.response.text()).toContain(`href="/${TENANT}/account/consents"`);
  });

  it('sends a visitor without a session to sign in', async () => {
    const response = await fetch(consentsPage, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/${TENANT}/account/login`);
  });

  it('refuses a revoke without a valid CSRF token and changes nothing', async () => {
    const html = await (await browser.fetch(consentsPage)).text();
    for (const fields of [{ client_id: WEB.clientId }, { client_id: WEB.clientId, csrf: `${csrfOf(html)}x` }]) {
      const response = await browser.fetch(consentsPage, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });
      expect(response.status).toBe(403);
    }
    // Alice's token posted with Bob's session (the same token works as cookie or bearer) is refused too.
    const bobToken = (await signInApi(server, TENANT, BOB.username, BOB.password)).body.session!.token;
    const crossSession = await fetch(consentsPage, { method: 'POST', body: form({ csrf: csrfOf(html), client_id: WEB.clientId }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `tessera_session=${bobToken}` } });
    expect(crossSession.status).toBe(403);
    expect(await (await browser.fetch(consentsPage)).text()).toContain('<h2>Weather web</h2>');
    const rotated = await oidc.refreshTokenGrant(web, refreshToken);
    refreshToken = rotated.refresh_token!;
  });

  it('answers 404 for an application the user has not allowed, and changes nothing', async () => {
    const csrf = csrfOf(await (await browser.fetch(consentsPage)).text());
    const response = await browser.fetch(consentsPage, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf, client_id: 'weather-spa' }) });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('That application has no access to revoke.');
    expect(html).toContain('<h2>Weather web</h2>');
  });

  it('revokes: the refresh token fails with invalid_grant and the next sign-in asks for consent again', async () => {
    const csrf = csrfOf(await (await browser.fetch(consentsPage)).text());
    const response = await browser.fetch(consentsPage, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ csrf, client_id: WEB.clientId }) });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Weather web no longer has access to your account.');
    expect(html).not.toContain('<h2>Weather web</h2>');
    expect(html).toContain('No application has access to your account.');
    await expectInvalidGrant(refreshToken);
    const again = await signInToWeb();
    // Still signed in (single sign-on), but consent is asked again.
    expect(again.pages).toEqual(['consent']);
    refreshToken = again.refreshToken;
  });
});

describe('the consents JSON API', () => {
  let aliceToken: string;
  let bobToken: string;
  let refreshToken: string;

  beforeAll(async () => {
    aliceToken = (await signInApi(server, TENANT, ALICE.username, ALICE.password)).body.session!.token;
    bobToken = (await signInApi(server, TENANT, BOB.username, BOB.password)).body.session!.token;
    refreshToken = (await signInToWeb()).refreshToken;
  });

  it('lists the user’s consents with a bearer session or the session cookie', async () => {
    const expected = {
      client_id: WEB.clientId, application_name: 'Weather web', grant_id: expect.any(String),
      scopes: ['offline_access', 'openid'],
      apis: [{ api: WEATHER_API, api_name: 'Weather API', scopes: [{ name: 'weather.read', description: 'Read weather forecasts' }] }],
      created_at: expect.any(String),
    };
    const withBearer = await fetch(consentsApi, { headers: bearer(aliceToken) });
    expect(withBearer.status).toBe(200);
    expect(withBearer.headers.get('cache-control')).toBe('no-store');
    expect(await withBearer.json()).toEqual({ consents: [expected] });
    const withCookie = await browser.fetch(consentsApi);
    expect(await withCookie.json()).toEqual({ consents: [expected] });
    // Bob sees only his own (none).
    expect(await (await fetch(consentsApi, { headers: bearer(bobToken) })).json()).toEqual({ consents: [] });
  });

  it('refuses callers without a session (401 problem)', async () => {
    for (const init of [{}, { headers: bearer('x'.repeat(40)) }, { method: 'DELETE' }]) {
      const url = init.method === 'DELETE' ? `${consentsApi}/${WEB.clientId}` : consentsApi;
      const response = await fetch(url, init);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 401, code: 'session.required' });
    }
  });

  it('answers 404 for an application without consent (another user’s included), changing nothing', async () => {
    for (const [token, clientId] of [[aliceToken, 'weather-spa'], [aliceToken, 'no-such-app'], [bobToken, WEB.clientId]] as const) {
      const response = await fetch(`${consentsApi}/${clientId}`, { method: 'DELETE', headers: bearer(token) });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ status: 404, code: 'consent.not_found' });
    }
    expect((await fetch(`${server.url}/nowhere/api/consents`, { headers: bearer(aliceToken) })).status).toBe(404);
    const rotated = await oidc.refreshTokenGrant(web, refreshToken);
    refreshToken = rotated.refresh_token!;
  });

  it('revokes with DELETE (204), after which the refresh token fails and a second DELETE is 404', async () => {
    const response = await fetch(`${consentsApi}/${WEB.clientId}`, { method: 'DELETE', headers: bearer(aliceToken) });
    expect(response.status).toBe(204);
    await expectInvalidGrant(refreshToken);
    expect(await (await fetch(consentsApi, { headers: bearer(aliceToken) })).json()).toEqual({ consents: [] });
    expect((await fetch(`${consentsApi}/${WEB.clientId}`, { method: 'DELETE', headers: bearer(aliceToken) })).status).toBe(404);
  });

  it('records every revocation in the audit log with the actor', async () => {
    const events = await readDatabase(server, (db) => db.selectFrom('audit_events').select(['type', 'actor', 'subject', 'client_id'])
      .where('type', '=', 'consent.revoked').execute(), { restart: false });
    const users = await readDatabase(server, (db) => db.selectFrom('users').select(['id', 'username']).execute(), { restart: false });
    const alice = users.find((user) => user.username === ALICE.username)!.id;
    expect(events).toEqual([
      { type: 'consent.revoked', actor: alice, subject: alice, client_id: WEB.clientId },
      { type: 'consent.revoked', actor: alice, subject: alice, client_id: WEB.clientId },
    ]);
  });
});
