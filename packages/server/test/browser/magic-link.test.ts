import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, TENANT } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { launchChromium, linkIn, runBrowserTests, screenshot, watchForProblems } from './browser-support.js';

/**
 * Sign-in by email in Chromium: the magic link from the SMTP sink, opened in the browser that
 * asked, signs it in; opened in another browser, it only approves the sign-in, and the asking
 * browser continues. Embedded database only: the pages are the same on both.
 */

const MAIL_TIMEOUT = 15_000;
const USERS = ['mila', 'nico'] as const;

describe.skipIf(!runBrowserTests || process.env.TESSERA_TEST_DB === 'postgres')('magic link in a real browser', () => {
  let browser: Browser;
  let server: TestServer;
  let sink: SmtpSink;
  const account = (path: string) => `${server.url}/${TENANT}/account/${path}`;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer({
      config: protocolConfig({ extraUsers: USERS.map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: 'pebble-orchard-signal-64' })) }),
      env: { TESSERA_SMTP_URL: sink.url },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
    await sink?.close();
  });

  async function click(page: Page, button: string): Promise<void> {
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: button, exact: true }).click()]);
  }

  /** On the sign-in page: "Email me a sign-in code", then who. */
  async function askForMail(page: Page, username: string, shots?: string): Promise<string> {
    await page.goto(account('login'));
    await click(page, 'Email me a sign-in code');
    await page.getByLabel('Username or email').fill(username);
    if (shots) await screenshot(page, `${shots}-identify`);
    await click(page, 'Send the email');
    expect(await page.getByRole('status').first().textContent()).toContain(username);
    expect(await page.getByLabel('Code from the email').count()).toBe(1);
    if (shots) await screenshot(page, `${shots}-sent`);
    const mail = await sink.waitForMail({ to: `${username}@example.com` }, MAIL_TIMEOUT);
    expect(mail.subject).toBe('Sign in to Demo');
    return linkIn(mail, '/account/login/link');
  }

  it('signs in the browser that asked when its link is opened there', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForProblems(page);
    const link = await askForMail(page, 'mila', 'magic-link');

    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Sign in with an email link');
    await screenshot(page, 'magic-link-confirm');
    await click(page, 'Sign in');
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/settings`);
    expect(await page.locator('body').textContent()).toContain('mila');
    await screenshot(page, 'magic-link-signed-in');

    // The link is spent.
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Link not valid');
    // The passkey script of the sign-in page is another factor's (served once the passkey pages land).
    expect(problems.filter((problem) => !problem.endsWith('/assets/passkeys.js'))).toEqual([]);
    await context.close();
  });

  it('opened in another browser, approves the sign-in; the asking browser continues', async () => {
    const asking = await browser.newContext();
    const other = await browser.newContext();
    const page = await asking.newPage();
    const link = await askForMail(page, 'nico');

    const phone = await other.newPage();
    await phone.goto(link);
    expect(await phone.locator('body').textContent()).toContain('Approve sign-in on the other device?');
    await screenshot(phone, 'magic-link-approve');
    await click(phone, 'Approve sign-in on the other device');
    expect(await phone.locator('h1').textContent()).toBe('Sign-in approved');
    await screenshot(phone, 'magic-link-approved');
    expect((await other.cookies()).some((cookie) => cookie.name === 'tessera_session')).toBe(false);

    await click(page, 'I approved it on my other device: continue');
    expect(new URL(page.url()).pathname).toBe(`/${TENANT}/account/settings`);
    await screenshot(page, 'magic-link-continued');
    await asking.close();
    await other.close();
  });
});
