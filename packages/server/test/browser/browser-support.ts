import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { linksIn, type ReceivedMail } from '../support/smtp-sink.js';

/**
 * Shared pieces of the browser tests: Debian's Chromium driven by playwright-core, screenshots
 * as artifacts, a page watcher for script errors and CSP violations, a stand-in for an
 * application's redirect URI, and the mail parts the pages ask the user to use.
 */

export const CHROMIUM = process.env.TESSERA_TEST_CHROMIUM?.trim() || '/usr/bin/chromium';
const IN_CI = Boolean(process.env.CI) && process.env.CI !== '0' && process.env.CI !== 'false';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../test-results');
/** Both database projects run the file at once: one set of screenshots each. */
const SHOT_SUFFIX = process.env.TESSERA_TEST_DB ?? 'embedded';

/** Outside CI a machine without Chromium skips the browser tests; in CI a missing browser is a failure. */
export const runBrowserTests = existsSync(CHROMIUM) || IN_CI;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it (apt-get install -y chromium) or set TESSERA_TEST_CHROMIUM; CI must run the browser tests.`);
  }
  await mkdir(RESULTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Saves a full-page screenshot as `test-results/{name}-{project}.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS, `${name}-${SHOT_SUFFIX}.png`), fullPage: true });
}

/**
 * Collects script errors, CSP violations (reported on the console) and failed subresources.
 * Documents are left out: a form answered with 400 (invalid input, wrong password) is expected.
 */
export function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (response.status() >= 400 && response.request().resourceType() !== 'document' && url.pathname !== '/favicon.ico') {
      problems.push(`${response.status()} ${url.pathname}`);
    }
  });
  return problems;
}

/** The one link of a mail whose path ends with `pathEnd` (e.g. `/account/verification/confirm`). */
export function linkIn(mail: ReceivedMail, pathEnd: string): string {
  const links = linksIn(mail).filter((link) => new URL(link).pathname.endsWith(pathEnd));
  expect(links, `links to ${pathEnd} in "${mail.subject}"`).toHaveLength(1);
  return links[0]!;
}

/** The 6-digit code a mail's text part introduces ("…enter this code…: 123456"), or undefined. */
export function codeIn(mail: ReceivedMail): string | undefined {
  return /\bcode\b[^\n]*:\s*(\d{6})\b/i.exec(mail.text)?.[1];
}

/**
 * Drives the strength meter of the first new-password field (the script and its lazily
 * loaded estimator chunk) and checks the feedback for a weak and a strong password.
 */
export async function assertStrengthMeter(page: Page): Promise<void> {
  const field = page.locator('input[type="password"][data-strength]').first();
  const id = await field.getAttribute('id');
  expect(id).toBeTruthy();
  const output = page.locator(`#${id}-strength`);
  expect(await field.getAttribute('aria-describedby')).toContain(`${id}-strength`);
  await field.fill('password');
  await expect.poll(() => output.getAttribute('data-score'), { timeout: 10_000 }).toBe('0');
  expect(await output.textContent()).toContain('Strength: Very weak.');
  await field.fill('quartz-lantern-oboe-mildew-73');
  await expect.poll(() => output.getAttribute('data-score'), { timeout: 10_000 }).toBe('4');
  expect(await output.textContent()).toContain('Strength: Very strong.');
  await field.fill('');
}

/** The id of the element that has focus ('' for none). */
export function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

export interface RedirectTarget {
  /** `http://127.0.0.1:PORT/callback`, registered as weather-web's redirect URI. */
  uri: string;
  callbacks: URL[];
  close(): Promise<void>;
}

/** A tiny local "application" that records what arrives at its redirect URI. */
export async function startRedirectTarget(): Promise<RedirectTarget> {
  const callbacks: URL[] = [];
  let uri = '';
  const app = createServer((request, response) => {
    const url = new URL(request.url ?? '/', uri);
    if (url.pathname === '/callback') callbacks.push(url);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Weather web</title><h1>Signed in</h1>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  uri = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callback`;
  return { uri, callbacks, close: () => new Promise((resolve) => app.close(() => resolve())) };
}
