import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, createPkce, discoverClient, protocolConfig, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';
import { freshTotpCode } from '../mfa/mfa-support.js';
import { launchChromium, runBrowserTests, screenshot, startRedirectTarget, watchForProblems, type RedirectTarget } from './browser-support.js';

/**
 * Second factors in a real browser: an authenticator app set up on the security page (the test
 * reads the key from the page and computes codes like the app would), recovery codes, a
 * remembered device, and step-up through acr_values. Screenshots go to test-results/.
 */
describe.skipIf(!runBrowserTests)('second factors in a real browser', () => {
  let browser: Browser;
  let server: TestServer;
  let app: RedirectTarget;
  let web: oidc.Configuration;
  let secret = '';
  let recoveryCodes: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    app = await startRedirectTarget();
    server = await startTestServer({ config: protocolConfig({ webRedirectUri: app.uri }) });
    web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await server?.dispose();
  });

  const section = (page: Page, group: string) => page.locator(`section[data-group="${group}"]`);
  const submitIn = (page: Page, group: string) => Promise.all([page.waitForLoadState('load'), section(page, group).locator('button[type=submit]').first().click()]);

  async function signInWithPassword(page: Page) {
    await page.getByLabel('Username or email').fill(ALICE.username);
    await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
  }

  /** An authorization request in `context`; returns the page and what redeeming needs. */
  async function authorize(context: BrowserContext, params: Record<string, string> = {}) {
    const pkce = await createPkce();
    const url = oidc.buildAuthorizationUrl(web, { redirect_uri: app.uri, scope: `openid ${WEATHER_API}/weather.read`, state: oidc.randomState(),
      code_challenge: pkce.challenge, code_challenge_method: 'S256', ...params });
    const page = await context.newPage();
    await page.goto(url.href);
    return { page, pkce, state: url.searchParams.get('state')! };
  }

  async function finish(page: Page, pkce: { verifier: string }, state: string) {
    await page.waitForURL((url) => url.href.startsWith(app.uri) || url.pathname.includes('/interaction/'));
    if (!page.url().startsWith(app.uri)) {
      await Promise.all([page.waitForURL((url) => url.href.startsWith(app.uri)), page.getByRole('button', { name: 'Allow' }).click()]);
    }
    const tokens = await oidc.authorizationCodeGrant(web, new URL(page.url()), { pkceCodeVerifier: pkce.verifier, expectedState: state });
    return { id: tokens.claims()!, access: decodeJwt(tokens.access_token) };
  }

  it('sets up an authenticator app from the page, then recovery codes shown once', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);
    await page.goto(`${server.url}/${TENANT}/account/login`);
    await signInWithPassword(page);
    await page.goto(`${server.url}/${TENANT}/account/security`);
    await submitIn(page, 'totp');
    const key = page.locator('#f-totp-secret');
    await key.waitFor();
    secret = (await key.textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await page.locator('#f-totp-qr_code').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await screenshot(page, 'mfa-totp-enrol');
    await page.locator('#f-totp-code').fill(await freshTotpCode(secret));
    await submitIn(page, 'totp');
    await expect(page.locator('p.success').first().textContent()).resolves.toBeTruthy();

    await submitIn(page, 'recovery_code');
    const codes = section(page, 'recovery_code').locator('code.display');
    await codes.waitFor();
    recoveryCodes = ((await codes.textContent()) ?? '').split(/\s+/).filter(Boolean);
    expect(recoveryCodes).toHaveLength(10);
    await screenshot(page, 'mfa-recovery-codes');
    // Shown once: the security page, opened again, shows how many are left, not the codes.
    await page.goto(`${server.url}/${TENANT}/account/security`);
    expect(await page.content()).not.toContain(recoveryCodes[0]!);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('signs in to an application with the password and a recovery code; the tokens say mfa', async () => {
    const context = await browser.newContext();
    const { page, pkce, state } = await authorize(context);
    await signInWithPassword(page);
    await section(page, 'recovery_code').waitFor();
    await screenshot(page, 'mfa-second-step');
    await section(page, 'recovery_code').getByLabel('Recovery code').fill(recoveryCodes[0]!);
    await submitIn(page, 'recovery_code');
    await page.waitForURL((url) => !url.pathname.endsWith('/account/login'), { timeout: 5000 }).catch(async () => {
      throw new Error(`still on the sign-in page: ${await page.locator('[role=alert]').allTextContents()}`);
    });
    const { id, access } = await finish(page, pkce, state);
    expect(id).toMatchObject({ acr: 'urn:tessera:acr:mfa', amr: ['pwd', 'otp', 'mfa'] });
    expect(access).toMatchObject({ acr: 'urn:tessera:acr:mfa' });
    await context.close();
  });

  it('remembers the device, then steps up with the authenticator app when the application asks (acr_values)', async () => {
    const context = await browser.newContext();
    const first = await authorize(context);
    await signInWithPassword(first.page);
    await section(first.page, 'totp').getByLabel(/authenticator app/i).fill(await freshTotpCode(secret));
    await section(first.page, 'totp').getByLabel(/Remember this device/).check();
    await submitIn(first.page, 'totp');
    await finish(first.page, first.pkce, first.state);

    // prompt=login on a remembered device: the password is enough for the policy.
    const again = await authorize(context, { prompt: 'login' });
    await signInWithPassword(again.page);
    expect((await finish(again.page, again.pkce, again.state)).id).toMatchObject({ acr: 'urn:tessera:acr:1fa', amr: ['pwd'] });

    // The application asks for MFA: only the missing factor is asked for.
    const stepUp = await authorize(context, { acr_values: 'urn:tessera:acr:mfa' });
    await section(stepUp.page, 'totp').waitFor();
    expect(await stepUp.page.locator('input[name="password"]').count()).toBe(0);
    await screenshot(stepUp.page, 'mfa-step-up');
    await section(stepUp.page, 'totp').getByLabel(/authenticator app/i).fill(await freshTotpCode(secret));
    await submitIn(stepUp.page, 'totp');
    expect((await finish(stepUp.page, stepUp.pkce, stepUp.state)).id).toMatchObject({ acr: 'urn:tessera:acr:mfa', amr: ['pwd', 'otp', 'mfa'] });
    await context.close();
  });
});
