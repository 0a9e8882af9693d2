import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { findFreePort, startTestServer, type TestServer } from '../support/index.js';
import { launchChromium, runBrowserTests, screenshot, watchForProblems } from './browser-support.js';

/**
 * Passkeys in a real browser: Chromium's virtual authenticator (CDP `WebAuthn.*`) stands in for
 * the device. Alice signs in with her password, registers a passkey on the security page, signs
 * out, and signs in again with the passkey alone — through the username field's autofill
 * (conditional UI), and with the button.
 *
 * The server's public URL is http://localhost:PORT, not the harness's http://127.0.0.1:PORT:
 * the RP ID is the public URL's host name, and Chromium refuses an IP address as an RP ID
 * ("This is an invalid domain"); `localhost` is a secure context and a valid RP ID. So this file
 * picks the port itself and passes PORT and TESSERA_PUBLIC_URL to the server.
 */

describe.skipIf(!runBrowserTests)('passkeys in a real browser', () => {
  let browser: Browser;
  let server: TestServer;
  let base: string;

  beforeAll(async () => {
    const port = await findFreePort();
    base = `http://localhost:${port}`;
    server = await startTestServer({ config: protocolConfig(), env: { PORT: String(port), TESSERA_PUBLIC_URL: base } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  const account = (page: string) => `${base}/${TENANT}/account/${page}`;

  /** A platform authenticator with resident keys and user verification that always succeeds (a fingerprint that matches). */
  async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', { enableUI: false });
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', { options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true,
      automaticPresenceSimulation: true,
    } });
    return { cdp, authenticatorId };
  }

  async function click(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button, exact: true }).click()]);
  }

  it('registers a passkey on the security page, then signs in with it alone (autofill and button)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const { cdp, authenticatorId } = await virtualAuthenticator(context, page);

    // Password first: registering a passkey needs a fresh sign-in.
    await page.goto(account('login'));
    await page.getByLabel('Username or email').fill(ALICE.username);
    await page.getByLabel('Password', { exact: true }).fill(ALICE.password);
    await click(page, 'Sign in');
    await page.goto(account('security'));
    await expect(page.locator('section[data-group="passkey"] h2').textContent()).resolves.toBe('Passkey');
    await click(page, 'Add a passkey');
    expect(await page.locator('input[data-webauthn]').count()).toBe(1);
    await page.getByLabel(/Name, to tell your passkeys apart/).fill('Chromium virtual authenticator');
    await screenshot(page, 'passkey-register');
    // The script asks the (virtual) authenticator for a passkey and submits its answer.
    await click(page, 'Create the passkey');
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('Your passkey is set up');
    await expect(page.locator('section[data-group^="passkey:"] h2').first().textContent()).resolves.toBe('Chromium virtual authenticator');
    await screenshot(page, 'passkey-registered');

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    const counterAfterRegistration = credentials[0]!.signCount;

    // Conditional UI: the login page starts a `mediation: 'conditional'` request on load (Chromium supports it, headless
    // too). Signing out lands on the login page, and the virtual authenticator answers the request at once, as a person
    // picking the passkey from the username field's autofill would: signed in again without a click.
    expect(await page.evaluate(async () => Boolean(await window.PublicKeyCredential?.isConditionalMediationAvailable?.()))).toBe(true);
    await Promise.all([page.waitForURL(/\/account\/settings/), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
    await screenshot(page, 'passkey-signed-in-autofill');
    const afterAutofill = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!.signCount;
    expect(afterAutofill).toBeGreaterThan(counterAfterRegistration);

    // The button, in a browser without conditional UI (as if isConditionalMediationAvailable() said no): passwordless,
    // no username, no password.
    await page.addInitScript(() => {
      Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false });
    });
    await Promise.all([page.waitForURL(/\/account\/login\?flow=/), page.getByRole('button', { name: 'Sign out', exact: true }).click()]);
    await page.waitForLoadState('load');
    expect(await page.locator('input[name="identifier"]').getAttribute('autocomplete')).toBe('username webauthn');
    expect(await page.locator('html').getAttribute('data-passkey-autofill')).toBeNull();
    await screenshot(page, 'passkey-sign-in');
    await Promise.all([page.waitForURL(/\/account\/settings/), page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click()]);
    await screenshot(page, 'passkey-signed-in');
    const afterButton = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials[0]!.signCount;
    expect(afterButton).toBeGreaterThan(afterAutofill);
    expect(problems).toEqual([]);
    await context.close();

    const sessions = await readDatabase(server, (db) => db.selectFrom('audit_events').select(['type', 'data'])
      .where('type', 'in', ['signin.succeeded', 'mfa.enrolled', 'mfa.used']).orderBy('created_at').execute(), { restart: false });
    expect(sessions.map((row) => [row.type, (row.data as { method?: string }).method])).toEqual([
      ['signin.succeeded', 'password'], ['mfa.enrolled', 'passkey'],
      ['mfa.used', 'passkey'], ['signin.succeeded', 'passkey'], // autofill
      ['mfa.used', 'passkey'], ['signin.succeeded', 'passkey'], // button
    ]);
  });
});
