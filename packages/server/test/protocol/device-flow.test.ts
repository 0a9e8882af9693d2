import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, discoverClient, protocolConfig, readDatabase, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { createHttpClient, form, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * Device authorization grant (RFC 8628): a TV asks for a code and polls the token endpoint with
 * openid-client while a phone (a cookie-jar client) enters the code on the verification page,
 * signs in and consents on the normal pages. Then the refusals: a wrong code, a cancelled
 * sign-in (access_denied), polling too fast (slow_down), an expired code, and too many codes.
 */

const TV = { clientId: 'living-room-tv', name: 'Living room TV', redirectUri: 'http://127.0.0.1/callback' } as const;
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** deviceCodePerIp for this server: enough for the tests before the throttling one. */
const CODE_ENTRIES_PER_IP = 16;
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

let server: TestServer;
let issuer: string;
let tv: oidc.Configuration;

beforeAll(async () => {
  server = await startTestServer({
    config: protocolConfig({
      accounts: { limits: { deviceCodePerIp: { points: CODE_ENTRIES_PER_IP, windowSeconds: 3600 } } },
      extraApplications: [{
        clientId: TV.clientId, name: TV.name, type: 'native', redirectUris: [TV.redirectUri],
        permissions: [{ api: WEATHER_API, scopes: ['weather.read'] }],
      }],
    }),
  });
  issuer = server.issuer(TENANT);
  tv = await discoverClient(server, TV.clientId, oidc.None());
});
afterAll(() => server?.dispose());

interface DeviceAuthorization { device_code: string; user_code: string; verification_uri: string; interval?: number; expires_in: number }

async function startDevice(clientId: string = TV.clientId, scope = 'openid profile'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${issuer}/device/auth`, { method: 'POST', body: form({ client_id: clientId, scope }) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

async function poll(deviceCode: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${issuer}/token`, { method: 'POST', body: form({ grant_type: GRANT, device_code: deviceCode, client_id: TV.clientId }) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

function hidden(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field in page:\n${html.slice(0, 2000)}`);
  return match[1];
}

/** Opens the verification page and submits a code, as typed; returns the page that answers. */
async function enterCode(http: HttpClient, verificationUri: string, userCode: string): Promise<{ status: number; html: string }> {
  const page = await http.fetch(verificationUri);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const res = await http.fetch(verificationUri, { method: 'POST', body: form({ xsrf: hidden(html, 'xsrf'), user_code: userCode }) });
  return { status: res.status, html: await res.text() };
}

/** Presses a button of the confirmation page ("Continue" or "Cancel"). */
function pressConfirm(http: HttpClient, verificationUri: string, confirmHtml: string, button: 'confirm' | 'abort') {
  const body = form({ xsrf: hidden(confirmHtml, 'xsrf'), user_code: hidden(confirmHtml, 'user_code'), [button]: 'yes' });
  return http.follow(verificationUri, { method: 'POST', body });
}

/** From the confirmation page through sign-in and consent to the page that says the device is signed in. */
async function approve(http: HttpClient, verificationUri: string, confirmHtml: string): Promise<{ html: string; pages: string[] }> {
  let step = await pressConfirm(http, verificationUri, confirmHtml, 'confirm');
  const pages: string[] = [];
  for (let i = 0; i < 4; i++) {
    const html = await step.response.text();
    expect(step.response.status, html).toBe(200);
    if (!html.includes('name="csrf"')) return { html, pages };
    const csrf = hidden(html, 'csrf');
    const login = html.includes('name="password"');
    pages.push(login ? 'login' : 'consent');
    const body = login ? form({ csrf, identifier: ALICE.username, password: ALICE.password }) : form({ csrf });
    step = await http.follow(step.url, { method: 'POST', body });
  }
  throw new Error(`no success page after ${pages.join(', ')}`);
}

describe('device authorization grant', () => {
  it('is advertised in discovery', async () => {
    const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(metadata.device_authorization_endpoint).toBe(`${issuer}/device/auth`);
    expect(metadata.grant_types_supported).toContain(GRANT);
  });

  it('signs the TV in while it polls: code typed in lower case without the dash, sign-in and consent on the phone', async () => {
    const started = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid profile' });
    expect(started.user_code).toMatch(USER_CODE);
    expect(started.interval).toBe(5);
    expect(started.verification_uri).toBe(`${issuer}/device`);
    const polling = oidc.pollDeviceAuthorizationGrant(tv, started);

    const phone = createHttpClient();
    const typed = started.user_code.replace('-', '').toLowerCase();
    const confirm = await enterCode(phone, started.verification_uri, typed);
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain(`<code>${started.user_code}</code>`);
    expect(confirm.html).toContain(TV.name);
    expect(confirm.html).not.toMatch(/<script|style=|onfocus=/);
    const done = await approve(phone, started.verification_uri, confirm.html);
    expect(done.pages).toEqual(['login', 'consent']);
    expect(done.html).toContain('Device signed in');

    const tokens = await polling;
    expect(tokens.access_token).toBeTruthy();
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(issuer);
    expect(claims.aud).toBe(TV.clientId);
    // Native apps have public subjects (docs/device-flow.md): `sub` is the user's id.
    const info = await oidc.fetchUserInfo(tv, tokens.access_token, claims.sub);
    expect(info.name).toBe(ALICE.name);

    // The code is spent: entering it again changes nothing.
    const again = await enterCode(phone, started.verification_uri, started.user_code);
    expect(again.html).toContain('already used');
  });

  it('refuses a wrong code with a message and keeps the device waiting', async () => {
    const { body } = await startDevice();
    const device = body as unknown as DeviceAuthorization;
    const phone = createHttpClient();
    const wrong = await enterCode(phone, device.verification_uri, 'BBBB-BBBB');
    expect(wrong.status).toBe(200);
    expect(wrong.html).toContain('That code is not valid');
    expect(wrong.html).toContain('value="BBBB-BBBB"');
    expect((await poll(device.device_code)).body.error).toBe('authorization_pending');
  });

  it('tells the device access_denied when the user cancels on the confirmation page', async () => {
    const device = (await startDevice()).body as unknown as DeviceAuthorization;
    const phone = createHttpClient();
    const confirm = await enterCode(phone, device.verification_uri, device.user_code);
    const cancelled = await pressConfirm(phone, device.verification_uri, confirm.html, 'abort');
    expect(await cancelled.response.text()).toContain('The sign-in was cancelled');
    const polled = await poll(device.device_code);
    expect(polled.status).toBe(400);
    expect(polled.body.error).toBe('access_denied');
  });

  it('tells the device access_denied when the user denies consent', async () => {
    const device = (await startDevice()).body as unknown as DeviceAuthorization;
    const phone = createHttpClient();
    const confirm = await enterCode(phone, device.verification_uri, device.user_code);
    let step = await pressConfirm(phone, device.verification_uri, confirm.html, 'confirm');
    let html = await step.response.text();
    step = await phone.follow(step.url, { method: 'POST', body: form({ csrf: hidden(html, 'csrf'), identifier: ALICE.username, password: ALICE.password }) });
    html = await step.response.text();
    expect(html).toContain('name="csrf"');
    step = await phone.follow(`${step.url}/abort`, { method: 'POST', body: form({ csrf: hidden(html, 'csrf') }) });
    expect(await step.response.text()).toContain('The sign-in was cancelled');
    expect((await poll(device.device_code)).body.error).toBe('access_denied');
  });

  it('answers slow_down to a device polling faster than the interval', async () => {
    const device = (await startDevice()).body as unknown as DeviceAuthorization;
    expect((await poll(device.device_code)).body.error).toBe('authorization_pending');
    const tooSoon = await poll(device.device_code);
    expect(tooSoon.status).toBe(400);
    expect(tooSoon.body.error).toBe('slow_down');
  });

  it('refuses the grant to applications that may not use it', async () => {
    const res = await fetch(`${issuer}/device/auth`, {
      method: 'POST', body: form({ client_id: WEB.clientId, client_secret: WEB.secret, scope: 'openid' }),
    });
    expect(res.status).toBe(400);
    const refusal = await res.json() as { error: string; error_description: string };
    // oidc-provider's answer for a grant the client is not registered for.
    expect(refusal.error).toBe('invalid_request');
    expect(refusal.error_description).toContain('not allowed for this client');
  });

  it('says expired_token to the device and "expired" on the page once the code has expired', async () => {
    const device = (await startDevice()).body as unknown as DeviceAuthorization;
    // Move the code's own expiry (oidc-provider's `exp`) into the past; the row itself stays.
    await readDatabase(server, (db) => db.updateTable('oidc_payloads')
      .set({ payload: sql`jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::int - 1))` })
      .where('user_code', '=', device.user_code.replace('-', ''))
      .execute());
    const polled = await poll(device.device_code);
    expect(polled.body.error).toBe('expired_token');
    const page = await enterCode(createHttpClient(), device.verification_uri, device.user_code);
    expect(page.html).toContain('That code has expired');
  });

  // Regression: without its session cookie (cookies blocked or expired, a stale link), these pages
  // answered a bare text/plain 500 without security headers (provider/unexpected-errors.ts).
  it('answers the verification pages without a session cookie with a working form, never a server error', async () => {
    const device = (await startDevice()).body as unknown as DeviceAuthorization;
    const phone = createHttpClient();
    const stale = await phone.fetch(`${issuer}/device/no-such-sign-in`);
    const staleHtml = await stale.text();
    expect(stale.status, staleHtml).toBe(400);
    expect(stale.headers.get('content-type')).toMatch(/^text\/html/);
    expect(stale.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(stale.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(staleHtml).toContain('Start again on your device');
    // The form on that page works: its session was saved and its cookie set.
    const confirm = await phone.fetch(`${issuer}/device`, { method: 'POST', body: form({ xsrf: hidden(staleHtml, 'xsrf'), user_code: device.user_code }) });
    const confirmHtml = await confirm.text();
    expect(confirm.status, confirmHtml).toBe(200);
    expect(confirmHtml).toContain(`<code>${device.user_code}</code>`);

    // A code posted with no session at all gets the form again, with a secret that works.
    const cookieless = await fetch(`${issuer}/device`, { method: 'POST', body: form({ xsrf: 'not-the-secret', user_code: device.user_code }) });
    const cookielessHtml = await cookieless.text();
    expect(cookieless.status, cookielessHtml).toBe(400);
    expect(cookieless.headers.get('set-cookie')).toMatch(/_session=/);
    expect(cookielessHtml).toContain('name="user_code"');
    expect((await poll(device.device_code)).body.error).toBe('authorization_pending');
  });

  it('limits the codes one address may submit, valid ones included', async () => {
    const device = (await startDevice()).body as unknown as DeviceAuthorization;
    const phone = createHttpClient();
    let throttled: { status: number; html: string } | undefined;
    for (let i = 0; i <= CODE_ENTRIES_PER_IP && !throttled; i++) {
      const answer = await enterCode(phone, device.verification_uri, 'CCCC-CCCC');
      if (answer.status === 429) throttled = answer;
    }
    expect(throttled?.html).toContain('Too many codes entered');
    const valid = await enterCode(phone, device.verification_uri, device.user_code);
    expect(valid.status).toBe(429);
    expect((await poll(device.device_code)).body.error).toBe('authorization_pending');
  });
});
