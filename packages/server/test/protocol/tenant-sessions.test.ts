import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, authorizeThroughPages, createPkce } from '../support/fixtures.js';
import { createHttpClient, form, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * Two tenants in one browser: each tenant's sign-in session (oidc-provider's `_session` cookie)
 * is its own, so signing in to one never signs the browser out of the other, and logging out of
 * one leaves the other alone.
 */

const TENANTS = ['north', 'south'] as const;
const WEB = { clientId: 'web', secret: 'web-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5000/signin-oidc' } as const;

const config = stringify({
  tenants: TENANTS.map((id) => ({
    id,
    name: id,
    applications: [{ clientId: WEB.clientId, name: `Web of ${id}`, type: 'web', redirectUris: [WEB.redirectUri], secrets: [{ value: WEB.secret }] }],
    users: [{ username: ALICE.username, email: ALICE.email, emailVerified: true, password: ALICE.password }],
  })),
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config });
});
afterAll(() => server?.dispose());

async function authorizationUrl(tenant: string, extra: Record<string, string> = {}): Promise<URL> {
  const pkce = await createPkce();
  const url = new URL(`${server.issuer(tenant)}/auth`);
  const params = { client_id: WEB.clientId, response_type: 'code', redirect_uri: WEB.redirectUri, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** prompt=none answers from the tenant's own sign-in session alone: a code, or login_required. */
async function silentSignIn(browser: HttpClient, tenant: string): Promise<string> {
  const walk = await authorizeThroughPages(browser, await authorizationUrl(tenant, { prompt: 'none' }), { redirectUri: WEB.redirectUri });
  return walk.callback.searchParams.get('error') ?? (walk.callback.searchParams.get('code') ? 'code' : `nothing in ${walk.callback}`);
}

/** RP-initiated logout at `tenant`, confirmed on its page. */
async function logOut(browser: HttpClient, tenant: string): Promise<void> {
  const page = await browser.fetch(`${server.issuer(tenant)}/session/end?client_id=${WEB.clientId}`);
  const html = await page.text();
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error(`no logout form at ${tenant}:\n${html.slice(0, 1000)}`);
  const confirmed = await browser.fetch(new URL(action, server.url), { method: 'POST', body: form({ xsrf, logout: 'yes' }) });
  expect(confirmed.status).toBe(303);
}

describe('sign-in sessions of two tenants in one browser', () => {
  it('are separate: signing in to one keeps the other, logging out of one leaves the other signed in', async () => {
    const browser = createHttpClient();
    for (const tenant of TENANTS) {
      const walk = await authorizeThroughPages(browser, await authorizationUrl(tenant), { redirectUri: WEB.redirectUri });
      expect(walk.pages).toEqual(['login', 'consent']);
      expect(walk.callback.searchParams.get('code')).toBeTruthy();
    }
    // Each session cookie is scoped to its tenant's path.
    const sessionCookies = browser.jar.all().filter((cookie) => cookie.name === '_session');
    expect(sessionCookies.map((cookie) => cookie.path).sort()).toEqual(TENANTS.map((tenant) => `/${tenant}/`).sort());
    expect(await silentSignIn(browser, 'north')).toBe('code');
    expect(await silentSignIn(browser, 'south')).toBe('code');

    await logOut(browser, 'south');
    expect(await silentSignIn(browser, 'south')).toBe('login_required');
    expect(await silentSignIn(browser, 'north')).toBe('code');
  });
});
