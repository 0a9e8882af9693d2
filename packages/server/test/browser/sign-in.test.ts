import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, createPkce, discoverClient, protocolConfig, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';

/**
 * A real browser (Debian's Chromium, driven by playwright-core) signs in through the sign-in
 * and consent pages and lands on the application's redirect URI, a tiny local server that
 * records what arrives. Screenshots of both pages go to test-results/ (gitignored).
 */

const CHROMIUM = process.env.TESSERA_TEST_CHROMIUM?.trim() || '/usr/bin/chromium';
const IN_CI = Boolean(process.env.CI) && process.env.CI !== '0' && process.env.CI !== 'false';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test-results');
/** Both database projects run this file at once: one set of screenshots each. */
const SHOT_SUFFIX = process.env.TESSERA_TEST_DB ?? 'embedded';

// Outside CI a machine without Chromium skips this file; in CI a missing browser is a failure.
const runBrowserTests = existsSync(CHROMIUM) || IN_CI;

describe.skipIf(!runBrowserTests)('sign-in in a real browser', () => {
  let browser: Browser;
  let server: TestServer;
  let app: Server;
  let redirectUri: string;
  const callbacks: URL[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) or set TESSERA_TEST_CHROMIUM; CI must run the browser tests.`);
    }
    app = createServer((request, response) => {
      const url = new URL(request.url ?? '/', redirectUri);
      if (url.pathname === '/callback') callbacks.push(url);
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Weather web</title><h1>Signed in</h1>');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    redirectUri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
    server = await startTestServer({ config: protocolConfig({ webRedirectUri: redirectUri }) });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await mkdir(RESULTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    if (app) await new Promise((resolve) => app.close(resolve));
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
    const problems: string[] = [];
    // Script errors, CSP violations and failed subresources (the browser's own favicon probe aside).
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('response', (response) => {
      const url = new URL(response.url());
      if (response.status() >= 400 && url.pathname !== '/favicon.ico') problems.push(`${response.status()} ${url.pathname}`);
    });

    await page.goto(authorizationUrl.href);
    const login = page.locator('input[name="login"]');
    await login.waitFor();
    expect(await login.getAttribute('autocomplete')).toBe('username');
    expect(await page.locator('input[name="password"]').getAttribute('autocomplete')).toBe('current-password');
    await expect(page.title()).resolves.toMatch(/sign in/i);
    await page.screenshot({ path: path.join(RESULTS, `sign-in-${SHOT_SUFFIX}.png`), fullPage: true });

    await login.fill(ALICE.username);
    await page.locator('input[name="password"]').fill(ALICE.password);
    await Promise.all([page.waitForURL(/\/interaction\//), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expect(await page.locator('h1').textContent()).toContain('Weather web');
    expect(await page.locator('ul.scopes').textContent()).toContain('weather.read');
    await page.screenshot({ path: path.join(RESULTS, `consent-${SHOT_SUFFIX}.png`), fullPage: true });

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
    // The session cookies are HttpOnly: no script on the page can read them.
    const cookies = await context.cookies(server.url);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.httpOnly, cookie.name).toBe(true);
    await context.close();
  });
});
