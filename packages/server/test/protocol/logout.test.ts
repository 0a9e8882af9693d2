import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { authorizeThroughPages, createPkce, discoverClient, protocolConfig, readDatabase, TENANT, WEB } from '../support/fixtures.js';
import { createHttpClient, form, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) through our own pages: the
 * confirmation page and the signed-out page carry no inline script or style (CSP); confirming
 * ends oidc-provider's session and Tessera's account session (no silent sign-in afterwards),
 * redirects only to a registered post_logout_redirect_uri, with `state`, and is audited.
 */

const POST_LOGOUT = 'http://127.0.0.1:5000/signed-out';

let server: TestServer;
let web: oidc.Configuration;

function configWithPostLogoutUri(): string {
  const config = parse(protocolConfig()) as { tenants: { applications: { clientId: string; postLogoutRedirectUris?: string[] }[] }[] };
  const app = config.tenants[0]!.applications.find((a) => a.clientId === WEB.clientId)!;
  app.postLogoutRedirectUris = [POST_LOGOUT];
  return stringify(config);
}

beforeAll(async () => {
  server = await startTestServer({ config: configWithPostLogoutUri() });
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
});
afterAll(() => server?.dispose());

async function signIn(http: HttpClient) {
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope: 'openid profile', state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: WEB.redirectUri });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  return { idToken: tokens.id_token!, pages: walk.pages };
}

function expectNoInlineCode(html: string, response: Response) {
  expect(html).not.toMatch(/<script|<style|\sstyle=/i);
  expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
}

/** The confirmation form: oidc-provider's action and xsrf field. */
function logoutFormOf(html: string) {
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error(`no logout form in:\n${html.slice(0, 1500)}`);
  return { action, xsrf };
}

describe('with a registered post_logout_redirect_uri', () => {
  const http = createHttpClient();

  it('asks on our own page, ends both sessions, redirects with state and audits session.ended', async () => {
    const { idToken, pages } = await signIn(http);
    expect(pages).toContain('login');
    expect(http.jar.get('tessera_session')).toEqual(expect.any(String));

    const endUrl = oidc.buildEndSessionUrl(web, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT, state: 'bye-123' });
    const page = await http.fetch(endUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expectNoInlineCode(html, page);
    expect(html).toContain('Weather web asks to sign you out');
    const { action, xsrf } = logoutFormOf(html);

    const confirm = await http.fetch(new URL(action, server.url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ xsrf, logout: 'yes' }),
    });
    expect(confirm.status).toBe(303);
    const location = new URL(confirm.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(POST_LOGOUT);
    expect(location.searchParams.get('state')).toBe('bye-123');
    expect(http.jar.get('tessera_session')).toBeUndefined();

    // No single sign-on left: the next authorization shows the sign-in page again.
    const again = await signIn(http);
    expect(again.pages).toContain('login');

    const events = await readDatabase(server, (db) => db.selectFrom('audit_events').selectAll().where('type', '=', 'session.ended').execute());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ client_id: WEB.clientId, data: expect.objectContaining({ reason: 'rp_initiated_logout' }) });
  });

  it('"Stay signed in" keeps the account session', async () => {
    const { idToken } = await signIn(http);
    const page = await http.fetch(oidc.buildEndSessionUrl(web, { id_token_hint: idToken, post_logout_redirect_uri: POST_LOGOUT }));
    const { action, xsrf } = logoutFormOf(await page.text());
    const confirm = await http.fetch(new URL(action, server.url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ xsrf }),
    });
    expect(confirm.status).toBe(303);
    expect(http.jar.get('tessera_session')).toEqual(expect.any(String));
    // The account session still signs the user in, without the password.
    const next = await signIn(http);
    expect(next.pages).not.toContain('login');
  });
});

describe('refusals and the signed-out page', () => {
  it('never redirects to an unregistered post_logout_redirect_uri', async () => {
    const http = createHttpClient();
    const { idToken } = await signIn(http);
    for (const uri of ['http://127.0.0.1:5000/signed-out/', 'http://evil.example/signed-out', `${POST_LOGOUT}?x=1`]) {
      const res = await http.fetch(oidc.buildEndSessionUrl(web, { id_token_hint: idToken, post_logout_redirect_uri: uri }));
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      const html = await res.text();
      expect(html).toContain('invalid_request');
      expectNoInlineCode(html, res);
    }
  });

  it('without a redirect URI, shows our signed-out page', async () => {
    const http = createHttpClient();
    const { idToken } = await signIn(http);
    const page = await http.fetch(oidc.buildEndSessionUrl(web, { id_token_hint: idToken }));
    const { action, xsrf } = logoutFormOf(await page.text());
    const done = await http.follow(new URL(action, server.url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ xsrf, logout: 'yes' }),
    });
    expect(done.response.status).toBe(200);
    const html = await done.response.text();
    expect(html).toContain('You have been signed out');
    expectNoInlineCode(html, done.response);
    expect(http.jar.get('tessera_session')).toBeUndefined();
  });

  it('refuses a confirmation without the xsrf value', async () => {
    const http = createHttpClient();
    const { idToken } = await signIn(http);
    const page = await http.fetch(oidc.buildEndSessionUrl(web, { id_token_hint: idToken }));
    const { action } = logoutFormOf(await page.text());
    const res = await http.fetch(new URL(action, server.url), {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ xsrf: 'forged', logout: 'yes' }),
    });
    expect(res.status).toBe(400);
    expect(http.jar.get('tessera_session')).toEqual(expect.any(String));
  });
});
