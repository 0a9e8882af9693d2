import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, createPkce, discoverClient, protocolConfig, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';
import { launchChromium, runBrowserTests, screenshot, startRedirectTarget, watchForProblems, type RedirectTarget } from './browser-support.js';

/**
 * A real browser (Debian's Chromium, driven by playwright-core) signs in through the sign-in
 * and consent pages and lands on the application's redirect URI, a tiny local server that
 * records what arrives. Screenshots of both pages go to test-results/ (gitignored).
 */

describe.skipIf(!runBrowserTests)('sign-in in a real browser', () => {
  let browser: Browser;
  let server: TestServer;
  let app: RedirectTarget;
  let redirectUri: string;
  let callbacks: URL[];

  beforeAll(async () => {
    browser = await launchChromium();
    app = await startRedirectTarget();
    redirectUri = app.uri;
    callbacks = app.callbacks;
    server = await startTestServer({ config: protocolConfig({ webRedirectUri: redirectUri }) });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.dispose();
  });

  it('signs in, allows consent, and lands on the redirect URI with a code that can be redeemed', async () => {
    const web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
    const pkce = await createPkce();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(web, {
      redirect_uri: redirectUri, scope: `openid profile ${WEATHER_API}/weather.read`, state, nonce,
      code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });

    const context = await browser.newContext();
    const page = await context.newPage();
    // Script errors, CSP violations and failed subresources (the browser's own favicon probe aside).
    const problems = watchForProblems(page);

    await page.goto(authorizationUrl.href);
    const login = page.locator('input[name="identifier"]');
    await login.waitFor();
    // `webauthn`: the browser may offer the user's passkeys in the field's autofill (conditional UI).
    expect(await login.getAttribute('autocomplete')).toBe('username webauthn');
    expect(await page.locator('input[name="password"]').getAttribute('autocomplete')).toBe('current-password');
    await expect(page.title()).resolves.toMatch(/sign in/i);
    await screenshot(page, 'sign-in');

    await login.fill(ALICE.username);
    await page.locator('input[name="password"]').fill(ALICE.password);
    await Promise.all([page.waitForURL(/\/interaction\//), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await page.locator('h1').textContent()).toContain('Weather web');
    expect(await page.locator('ul.scopes').textContent()).toContain('weather.read');
    await screenshot(page, 'consent');

    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(redirectUri)),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Signed in');

    expect(callbacks).toHaveLength(1);
    const callback = callbacks[0]!;
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer(TENANT));

    const tokens = await oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: pkce.verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()).toMatchObject({ aud: WEB.clientId, nonce });
    const jwks = createRemoteJWKSet(new URL(`${server.issuer(TENANT)}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.issuer(TENANT), audience: WEATHER_API, typ: 'at+jwt' });
    expect(payload).toMatchObject({ scope: 'weather.read', preferred_username: ALICE.username });

    // The pages load under their CSP: no violation, no script error, no missing stylesheet.
    expect(problems).toEqual([]);
    // The session cookies are the tenant's own (its path) and HttpOnly: no script on the page can read them.
    const cookies = await context.cookies(`${server.issuer(TENANT)}/`);
    expect(cookies.map((cookie) => cookie.name)).toEqual(expect.arrayContaining(['_session', 'tessera_session']));
    for (const cookie of cookies) {
      expect(cookie.httpOnly, cookie.name).toBe(true);
      expect(cookie.path, cookie.name).toBe(`/${TENANT}/`);
    }
    expect(await context.cookies(server.url)).toEqual([]);
    await context.close();
  });
});
