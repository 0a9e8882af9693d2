import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkce, discoverClient, protocolConfig, TENANT, WEB } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import {
  assertStrengthMeter, codeIn, focusedId, launchChromium, linkIn, runBrowserTests, screenshot, startRedirectTarget, watchForProblems,
  type RedirectTarget,
} from './browser-support.js';

/**
 * The account pages in a real browser (Debian's Chromium via playwright-core): register, verify
 * by link and by code, sign in, sign out, recover a forgotten password, SSO back into an OIDC
 * sign-in, the accessibility basics of the forms, and the pages without JavaScript. Mail goes
 * over SMTP to a local sink. Screenshots of every page go to test-results/ (gitignored).
 */

const PASSWORD = 'quartz-lantern-oboe-mildew-73';
const NEW_PASSWORD = 'violet-harbor-tundra-sprocket-58';
const GENERIC_FAILURE = 'Incorrect username, email or password.';
const MAIL_TIMEOUT = 15_000;

describe.skipIf(!runBrowserTests)('account pages in a real browser', () => {
  let browser: Browser;
  let server: TestServer;
  let sink: SmtpSink;
  let target: RedirectTarget;
  const account = (path: string) => `${server.url}/${TENANT}/account/${path}`;

  beforeAll(async () => {
    sink = await startSmtpSink();
    target = await startRedirectTarget();
    server = await startTestServer({ config: protocolConfig({ webRedirectUri: target.uri }), env: { TESSERA_SMTP_URL: sink.url } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await target?.close();
    await sink?.close();
  });

  /** Submits the page's (only) form with its button and waits for the answer to load. */
  async function submit(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button, exact: true }).click()]);
  }

  async function signIn(page: Page, identifier: string, password: string): Promise<void> {
    await page.goto(account('login'));
    await page.getByLabel('Username or email').fill(identifier);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await submit(page, 'Sign in');
  }

  it('registers, verifies by link, signs in and out, and resets a forgotten password by link', async () => {
    const email = 'carol@example.com';
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);

    // Step 1 — register: a GET starts a flow and redirects to it; the strength meter advises.
    await page.goto(account('register'));
    expect(new URL(page.url()).searchParams.get('flow')).toEqual(expect.any(String));
    expect(await page.locator('h1').textContent()).toBe('Create your account');
    await assertStrengthMeter(page);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Username').fill('carol');
    await page.getByLabel(/^Name/).fill('Carol Example');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'accounts-register');
    await submit(page, 'Create account');
    expect(await page.getByRole('status').first().textContent()).toContain(email);
    expect(await page.getByLabel('Code from the email').count()).toBe(1);
    await screenshot(page, 'accounts-register-sent');

    // Step 2 — the verification mail arrives in the SMTP sink; its link verifies the address.
    const verification = await sink.waitForMail({ to: email }, MAIL_TIMEOUT);
    expect(verification.subject).toBe('Verify your email address for Demo');
    await page.goto(linkIn(verification, '/account/verification/confirm'));
    expect(await page.locator('h1').textContent()).toBe('Email verified');
    await screenshot(page, 'accounts-email-verified');

    // Step 3 — sign in on the account login page: the settings page shows.
    await signIn(page, 'carol', PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/settings`);
    expect(await page.locator('h1').textContent()).toBe('Account settings');
    expect(await page.locator('main').textContent()).toContain('Signed in as carol');
    await screenshot(page, 'accounts-settings');
    const cookies = await context.cookies(page.url()); // the account cookie is scoped to /{tenant}/
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.httpOnly, cookie.name).toBe(true);

    // Step 4 — sign out from the settings page (POST /{tenant}/account/logout with its CSRF token).
    const signOut = page.getByRole('button', { name: /sign out/i });
    expect(await signOut.count(), 'the settings page offers "Sign out"').toBe(1);
    await Promise.all([page.waitForURL(/\/account\/login/), signOut.click()]);
    // The session is over on the server too: the settings page sends the browser to sign in.
    await page.goto(account('settings'));
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/login`);
    await page.goto(account('login'));
    expect(await page.locator('h1').textContent()).toBe('Sign in');
    await screenshot(page, 'accounts-signed-out');

    // Step 5 — "Forgot password?" → enter the email → the same answer as for any address.
    await Promise.all([page.waitForURL(/\/account\/recovery\?flow=/), page.getByRole('link', { name: 'Forgot password?' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Reset your password');
    await screenshot(page, 'accounts-recovery');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await submit(page, 'Send reset link');
    expect(await page.getByRole('status').first().textContent()).toContain(`If ${email} belongs to an account`);
    await screenshot(page, 'accounts-recovery-sent');

    // Step 6 — the reset mail; the page just said to "enter the code from the email", so the mail must carry one.
    const reset = await sink.waitForMail((mail) => mail.to.includes(email) && mail.subject === 'Reset your Demo password', MAIL_TIMEOUT);
    expect.soft(codeIn(reset), 'the reset mail carries the code the recovery page asks for').toMatch(/^\d{6}$/);
    await page.goto(linkIn(reset, '/account/recovery/reset'));
    expect(await page.locator('h1').textContent()).toBe('Choose a new password');
    await assertStrengthMeter(page);
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await screenshot(page, 'accounts-reset-form');
    await submit(page, 'Set new password');
    expect(await page.locator('h1').textContent()).toBe('Password changed');
    await screenshot(page, 'accounts-password-changed');
    const changed = await sink.waitForMail((mail) => mail.to.includes(email) && mail.subject === 'Your Demo password was changed', MAIL_TIMEOUT);
    expect(changed.text).toContain('other sessions were signed out');

    // Step 7 — the old password fails with the same message as an unknown account; the new one works.
    await signIn(page, 'nobody-here@example.com', PASSWORD);
    const unknownAccount = await page.getByRole('alert').textContent();
    await signIn(page, email, PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/login`);
    expect(await page.getByRole('alert').textContent()).toBe(GENERIC_FAILURE);
    expect(unknownAccount).toBe(GENERIC_FAILURE);
    await screenshot(page, 'accounts-old-password-refused');
    await signIn(page, email, NEW_PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/settings`);
    await screenshot(page, 'accounts-signed-in-new-password');

    // The pages load under their CSP: no violation, no script error, no missing asset.
    expect(problems).toEqual([]);
    await context.close();
  });

  it('creates an account from an OIDC sign-in, verifies by code, and returns to the app with a redeemable code', async () => {
    const email = 'dave@example.com';
    const web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
    const pkce = await createPkce();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizationUrl = oidc.buildAuthorizationUrl(web, {
      redirect_uri: target.uri, scope: 'openid email', state, nonce, code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);

    // Step 1 — the application sends the browser to the sign-in page, which links "Create account".
    await page.goto(authorizationUrl.href);
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // The OpenID Connect sign-in is the login flow's page, serving this interaction.
    expect(page.url()).toMatch(/\/account\/login\?flow=/);
    await screenshot(page, 'accounts-oidc-sign-in');
    await Promise.all([page.waitForURL(/\/account\/register\?flow=/), page.getByRole('link', { name: 'Create account' }).click()]);
    await screenshot(page, 'accounts-oidc-register');

    // Step 2 — register; the page then asks for the code from the mail.
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await submit(page, 'Create account');
    const codeField = page.getByLabel('Code from the email');
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    await screenshot(page, 'accounts-oidc-register-sent');

    // Step 3 — the code from the mail, typed into the same page, verifies and signs in; the browser goes back to the interaction.
    const mail = await sink.waitForMail({ to: email }, MAIL_TIMEOUT);
    const code = codeIn(mail);
    expect(code).toMatch(/^\d{6}$/);
    await codeField.fill(code!);
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(target.uri) || url.pathname.startsWith(`/${TENANT}/interaction/`)),
      page.getByRole('button', { name: 'Verify' }).click(),
    ]);

    // Step 4 — the login prompt completes from the account session; consent, if asked, is allowed.
    const allow = page.getByRole('button', { name: 'Allow' });
    await page.waitForURL((url) => url.href.startsWith(target.uri) || url.pathname.includes('/interaction/'));
    if (!page.url().startsWith(target.uri)) {
      await allow.waitFor();
      expect(await page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
      await screenshot(page, 'accounts-oidc-consent');
      await Promise.all([page.waitForURL((url) => url.href.startsWith(target.uri)), allow.click()]);
    }
    expect(await page.locator('h1').textContent()).toBe('Signed in');
    await screenshot(page, 'accounts-oidc-redirected');

    // Step 5 — the authorization code redeems; the email claim is the new address, verified.
    expect(target.callbacks).toHaveLength(1);
    const callback = target.callbacks[0]!;
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer(TENANT));
    const tokens = await oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: pkce.verifier, expectedState: state, expectedNonce: nonce });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ aud: WEB.clientId, nonce, sub: expect.any(String) });
    const userinfo = await oidc.fetchUserInfo(web, tokens.access_token, claims.sub);
    expect({ email: claims.email ?? userinfo.email, verified: claims.email_verified ?? userinfo.email_verified }).toEqual({ email, verified: true });

    expect(problems).toEqual([]);
    await context.close();
  });

  it('labels every field, ties errors to their fields and focuses the first invalid one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(account('register'));

    // Every input is reachable by its label; the first one has focus.
    for (const label of [/^Email$/, /^Username/, /^Name/, /^Password$/]) {
      expect(await page.getByLabel(label).count(), String(label)).toBe(1);
    }
    expect(await page.locator('input:not([type="hidden"])').count()).toBe(4);
    expect(await page.getByLabel('Username').getAttribute('autocomplete')).toBe('username');
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('autocomplete')).toBe('new-password');
    expect(await focusedId(page)).toBe(await page.getByLabel('Email', { exact: true }).getAttribute('id'));

    // An empty submission: each required field is marked invalid and described by its own message.
    await submit(page, 'Create account');
    await screenshot(page, 'accounts-register-errors');
    for (const label of ['Email', 'Password']) {
      const input = page.getByLabel(label, { exact: true });
      expect(await input.getAttribute('aria-invalid'), label).toBe('true');
      const ids = (await input.getAttribute('aria-describedby'))?.split(/\s+/) ?? [];
      const messages = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
      expect(messages, label).toContain('This field is required.');
    }
    expect(await page.getByLabel('Username').getAttribute('aria-invalid')).toBeNull();
    expect(await focusedId(page)).toBe(await page.getByLabel('Email', { exact: true }).getAttribute('id'));

    // After fixing the email only, focus moves to the next invalid field.
    await page.getByLabel('Email', { exact: true }).fill('erin@example.com');
    await submit(page, 'Create account');
    expect(await page.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe('erin@example.com');
    expect(await focusedId(page)).toBe(await page.getByLabel('Password', { exact: true }).getAttribute('id'));
    await context.close();
  });

  it('registers and verifies with JavaScript disabled', async () => {
    const email = 'frank@example.com';
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();

    await page.goto(account('register'));
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'accounts-nojs-register');
    await submit(page, 'Create account');
    const mail = await sink.waitForMail({ to: email }, MAIL_TIMEOUT);
    await page.getByLabel('Code from the email').fill(codeIn(mail) ?? '');
    await submit(page, 'Verify');
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/settings`);
    expect(await page.locator('h1').textContent()).toBe('Account settings');
    expect(await page.getByLabel('New email').inputValue()).toBe(email);
    await screenshot(page, 'accounts-nojs-settings');
    await context.close();
  });
});
