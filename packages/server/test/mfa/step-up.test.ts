import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createPkce, csrfOf, discoverClient, protocolConfig, readDatabase, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { createHttpClient, type HttpClient } from '../support/http.js';
import { signInApi } from '../support/flows.js';
import { enrolTotp, freshTotpCode } from './mfa-support.js';

const PASSWORD = 'copper-meadow-signal-73';
const ACR_MFA = 'urn:tessera:acr:mfa';
const ACR_1FA = 'urn:tessera:acr:1fa';

let server: TestServer;
let web: oidc.Configuration;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({
    extraUsers: ['otto', 'nina', 'ivan'].map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
  }) });
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  for (const username of ['otto', 'nina']) {
    const signedIn = await signInApi(server, TENANT, username, PASSWORD);
    secrets[username] = (await enrolTotp(server, TENANT, signedIn.body.session!.token)).secret;
  }
});
afterAll(() => server?.dispose());

type Page = { url: string; html: string; status: number };

/** Starts an authorization request; returns the page it lands on (or the callback in `location`). */
async function authorize(http: HttpClient, params: Record<string, string> = {}) {
  const pkce = await createPkce();
  const url = oidc.buildAuthorizationUrl(web, { redirect_uri: WEB.redirectUri, scope: `openid ${WEATHER_API}/weather.read`,
    code_challenge: pkce.challenge, code_challenge_method: 'S256', state: oidc.randomState(), ...params });
  return { pkce, state: url.searchParams.get('state')!, step: await walk(http, url.href) };
}

async function walk(http: HttpClient, url: string, init?: RequestInit): Promise<Page & { location?: string }> {
  const step = await http.follow(url, init, { stopAt: (u) => u.href.startsWith(WEB.redirectUri) });
  if (step.location) return { url: step.url, html: '', status: step.response.status, location: step.location };
  return { url: step.url, html: await step.response.text(), status: step.response.status };
}

/** Posts one form of a page: the main form, or the section of `group`. */
function submit(http: HttpClient, page: Page, fields: Record<string, string>, group?: string) {
  const body = new URLSearchParams({ csrf: csrfOf(page.html), ...(group ? { method: group } : {}), ...fields });
  return walk(http, page.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

/** Allows consent if asked; returns the callback. */
async function throughConsent(http: HttpClient, page: Page & { location?: string }): Promise<URL> {
  if (page.location) return new URL(page.location);
  expect(page.html).toContain('Allow');
  const allowed = await submit(http, page, {});
  expect(allowed.location, allowed.html.slice(0, 500)).toBeTruthy();
  return new URL(allowed.location!);
}

async function redeem(callback: URL, pkce: { verifier: string }, state: string) {
  const tokens = await oidc.authorizationCodeGrant(web, callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  return { id: tokens.claims()!, access: decodeJwt(tokens.access_token) };
}

describe('a second factor in the OpenID Connect sign-in', () => {
  it('asks a user with an authenticator app for a code after the password; the tokens say so (acr, amr)', async () => {
    const http = createHttpClient();
    const { pkce, state, step } = await authorize(http);
    expect(step.url).toMatch(/\/account\/login\?flow=/);
    const second = await submit(http, step, { identifier: 'otto', password: PASSWORD });
    expect(second.status).toBe(200);
    expect(second.html).toContain('data-group="totp"');
    expect(second.html).not.toContain('name="password"');

    const wrong = await submit(http, second, { code: '000000' === await freshTotpCode(secrets.otto!) ? '111111' : '000000' }, 'totp');
    expect(wrong.status).toBe(400);
    const done = await submit(http, wrong, { code: await freshTotpCode(secrets.otto!) }, 'totp');
    const { id, access } = await redeem(await throughConsent(http, done), pkce, state);
    expect(id).toMatchObject({ acr: ACR_MFA, amr: ['pwd', 'otp', 'mfa'] });
    expect(access).toMatchObject({ acr: ACR_MFA, amr: ['pwd', 'otp', 'mfa'] });
    expect(typeof access.auth_time).toBe('number');
  });

  it('signs a user without factors in with one (acr 1fa) and steps up to a second factor when acr_values asks', async () => {
    const http = createHttpClient();
    const first = await authorize(http);
    const signedIn = await submit(http, first.step, { identifier: 'ivan', password: PASSWORD });
    const { id } = await redeem(await throughConsent(http, signedIn), first.pkce, first.state);
    expect(id).toMatchObject({ acr: ACR_1FA, amr: ['pwd'] });

    // Ivan has no authenticator: his verified email is the second factor he can step up with.
    const stepUp = await authorize(http, { acr_values: ACR_MFA });
    expect(stepUp.step.url).toMatch(/\/account\/login\?flow=/);
    expect(stepUp.step.html).toContain('data-group="email_code"');
    expect(stepUp.step.html).not.toContain('name="password"');
    // Phishing resistance needs a passkey, which he has not: the application's request sends him to set one up.
    const phishingResistant = await authorize(http, { acr_values: 'urn:tessera:acr:phr' });
    expect(phishingResistant.step.url).toMatch(/\/account\/security\?flow=/);
    expect(phishingResistant.step.html).toContain('Continue to the application');
    const audit = await readDatabase(server, (db) => db.selectFrom('audit_events').select(['type', 'data'])
      .where('type', '=', 'mfa.step_up_required').execute());
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });

  it('remembers the device for the policy, but acr_values still asks for the second factor (step-up)', async () => {
    const http = createHttpClient();
    const first = await authorize(http);
    const second = await submit(http, first.step, { identifier: 'nina', password: PASSWORD });
    const done = await submit(http, second, { code: await freshTotpCode(secrets.nina!), remember_device: 'on' }, 'totp');
    expect(http.jar.get('tessera_device')).toBeTruthy();
    await redeem(await throughConsent(http, done), first.pkce, first.state);

    // A fresh sign-in on this device: the password is enough for the policy.
    const again = await authorize(http, { prompt: 'login' });
    expect(again.step.html).toContain('name="password"');
    const remembered = await submit(http, again.step, { identifier: 'nina', password: PASSWORD });
    const { id } = await redeem(await throughConsent(http, remembered), again.pkce, again.state);
    expect(id).toMatchObject({ acr: ACR_1FA, amr: ['pwd'] });

    // The application asks for MFA: the session steps up with the authenticator app, without the password again.
    const stepUp = await authorize(http, { acr_values: ACR_MFA });
    expect(stepUp.step.url).toMatch(/\/account\/login\?flow=/);
    expect(stepUp.step.html).toContain('data-group="totp"');
    expect(stepUp.step.html).not.toContain('name="password"');
    const upgraded = await submit(http, stepUp.step, { code: await freshTotpCode(secrets.nina!) }, 'totp');
    const tokens = await redeem(await throughConsent(http, upgraded), stepUp.pkce, stepUp.state);
    expect(tokens.id).toMatchObject({ acr: ACR_MFA, amr: ['pwd', 'otp', 'mfa'] });
    expect(tokens.access).toMatchObject({ acr: ACR_MFA });
  });

  it('forces a fresh sign-in for max_age=0', async () => {
    const http = createHttpClient();
    const first = await authorize(http);
    const second = await submit(http, first.step, { identifier: 'ivan', password: PASSWORD });
    await redeem(await throughConsent(http, second), first.pkce, first.state);
    const fresh = await authorize(http, { max_age: '0' });
    expect(fresh.step.html).toContain('name="password"');
  });

  it('lists the acr values in discovery', async () => {
    const metadata = await (await fetch(`${server.issuer(TENANT)}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(metadata.acr_values_supported).toEqual(['urn:tessera:acr:1fa', ACR_MFA, 'urn:tessera:acr:phr']);
  });
});
