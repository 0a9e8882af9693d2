import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startSmtpSink, linksIn, type SmtpSink } from '../support/smtp-sink.js';
import { BOB, csrfOf, protocolConfig, TENANT } from '../support/fixtures.js';
import { codeIn, messageCodes, runFlow, signInApi, startFlow, submitFlow, whoami } from '../support/flows.js';

let server: TestServer;
let sink: SmtpSink;
let currentBobPassword = '';

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({
    // Generous quotas: this file asks for many resets for one address on purpose.
    config: protocolConfig({ accounts: { limits: { recoveryPerEmail: { points: 100 }, recoveryPerIp: { points: 100 } } } }),
    env: { TESSERA_SMTP_URL: sink.url },
  });
});
afterAll(async () => {
  await server?.dispose();
  await sink?.close();
});

async function requestReset(email: string) {
  const result = await runFlow(server, TENANT, 'recovery', { email });
  expect(result.status).toBe(200);
  return result;
}

async function resetLinkFor(email: string): Promise<string> {
  const mail = await sink.waitForMail((m) => m.to.includes(email) && linksIn(m).some((href) => href.includes('/account/recovery/reset?token=')));
  const link = linksIn(mail).find((href) => href.includes('/account/recovery/reset?token='));
  if (!link) throw new Error(`no reset link in:\n${mail.text}`);
  return link;
}

const withCode = (email: string) => (m: { to: string[]; text: string }) => m.to.includes(email) && /\b\d{6}\b/.test(m.text);

async function postReset(link: string, password: string, csrf?: string) {
  const token = new URL(link).searchParams.get('token') ?? '';
  const form = csrf ?? csrfOf(await (await fetch(link)).text());
  const res = await fetch(new URL(link).origin + new URL(link).pathname, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: form, token, password }),
  });
  return { status: res.status, html: await res.text() };
}

describe('password recovery', () => {
  it('resets through the emailed link; the link is single-use and the old password stops working', async () => {
    const before = await signInApi(server, TENANT, BOB.username, BOB.password);
    const oldSession = before.body.session?.token ?? '';
    await requestReset(BOB.email);
    const link = await resetLinkFor(BOB.email);

    const form = await fetch(link);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('autocomplete="new-password"');
    const csrf = csrfOf(html);

    const refused = await postReset(link, 'password1', csrf);
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('most common passwords');

    const done = await postReset(link, 'renewed-secret-for-b-2026', csrf);
    expect(done.status).toBe(200);
    expect(done.html).toContain('Password changed');
    const changed = await sink.waitForMail((m) => m.to.includes(BOB.email) && /changed/i.test(m.subject));
    expect(changed.subject).toMatch(/password/i);

    const reused = await postReset(link, 'another-secret-2026', csrf);
    expect(reused.status).toBe(400);
    expect(reused.html).toContain('expired or was already used');
    expect((await fetch(link)).status).toBe(400);

    expect((await signInApi(server, TENANT, BOB.username, BOB.password)).status).toBe(400);
    expect((await signInApi(server, TENANT, BOB.username, 'renewed-secret-for-b-2026')).status).toBe(200);
    // Sessions made before the reset are over.
    expect((await whoami(server, TENANT, oldSession)).status).toBe(401);
  });

  it('says the same for unknown addresses and sends nothing', async () => {
    const known = await requestReset(BOB.email);
    const unknown = await requestReset('nobody@example.com');
    expect(unknown.body.state).toBe(known.body.state);
    expect(unknown.body.ui.messages[0]?.text.replace('nobody@example.com', 'X')).toBe(known.body.ui.messages[0]?.text.replace(BOB.email, 'X'));
    await resetLinkFor(BOB.email);
    await expect(sink.waitForMail({ to: 'nobody@example.com' }, 1500)).rejects.toThrow(/no matching mail/);
  });

  it('lets exactly one of two concurrent submissions of a reset link win', async () => {
    await requestReset(BOB.email);
    const link = await resetLinkFor(BOB.email);
    const csrf = csrfOf(await (await fetch(link)).text());
    const results = await Promise.all([postReset(link, 'concurrent-one-2026!', csrf), postReset(link, 'concurrent-two-2026!', csrf)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const winner = results[0]?.status === 200 ? 'concurrent-one-2026!' : 'concurrent-two-2026!';
    expect((await signInApi(server, TENANT, BOB.username, winner)).status).toBe(200);
    currentBobPassword = winner;
  });

  it('voids an outstanding reset link when the password changes another way', async () => {
    const session = (await signInApi(server, TENANT, BOB.username, currentBobPassword)).body.session?.token ?? '';
    await requestReset(BOB.email);
    const link = await resetLinkFor(BOB.email);
    const csrf = csrfOf(await (await fetch(link)).text());
    const settings = await startFlow(server, TENANT, 'settings', session);
    const changed = await submitFlow(server, TENANT, settings.body,
      { method: 'password', current_password: currentBobPassword, new_password: 'changed-in-settings-2026' }, session);
    expect(changed.status).toBe(200);
    const stale = await postReset(link, 'stale-link-password-2026', csrf);
    expect(stale.status).toBe(400);
    expect((await signInApi(server, TENANT, BOB.username, 'stale-link-password-2026')).status).toBe(400);
    expect((await signInApi(server, TENANT, BOB.username, 'changed-in-settings-2026')).status).toBe(200);
    currentBobPassword = 'changed-in-settings-2026';
  });

  it('resets with the code from the mail, as an app without a browser does', async () => {
    const flow = await startFlow(server, TENANT, 'recovery');
    await submitFlow(server, TENANT, flow.body, { email: BOB.email });
    const mail = await sink.waitForMail(withCode(BOB.email));
    const viaCode = await submitFlow(server, TENANT, flow.body, { code: codeIn(mail.text), password: 'code-reset-password-2026' });
    expect(viaCode.status).toBe(200);
    expect(viaCode.body.state).toBe('success');
    expect((await signInApi(server, TENANT, BOB.username, 'code-reset-password-2026')).status).toBe(200);
  });

  it('counts wrong codes and voids the flow after five', async () => {
    const flow = await startFlow(server, TENANT, 'recovery');
    await submitFlow(server, TENANT, flow.body, { email: BOB.email });
    const mail = await sink.waitForMail(withCode(BOB.email));
    const right = codeIn(mail.text);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let i = 0; i < 5; i++) {
      const attempt = await submitFlow(server, TENANT, flow.body, { code: wrong, password: 'some-new-password-2026' });
      expect(messageCodes(attempt.body).code).toEqual(['link.invalid']);
    }
    const blocked = await submitFlow(server, TENANT, flow.body, { code: right, password: 'some-new-password-2026' });
    expect(messageCodes(blocked.body).code).toEqual(['code.too_many_attempts']);
    expect((await signInApi(server, TENANT, BOB.username, 'some-new-password-2026')).status).toBe(400);
  });
});
