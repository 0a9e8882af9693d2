import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startSmtpSink, linksIn, type SmtpSink } from '../support/smtp-sink.js';
import { protocolConfig, TENANT, ALICE } from '../support/fixtures.js';
import { codeIn, messageCodes, runFlow, signInApi, startFlow, startFlowWith, submitFlow, whoami } from '../support/flows.js';

let server: TestServer;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ config: protocolConfig(), env: { TESSERA_SMTP_URL: sink.url } });
});
afterAll(async () => {
  await server?.dispose();
  await sink?.close();
});

describe('registration and email verification (flows API)', () => {
  it('registers, mails a code and a link, verifies with the code, and starts a session', async () => {
    const started = await startFlow(server, TENANT, 'registration');
    expect(started.status).toBe(201);
    expect(started.body.ui.nodes.map((n) => n.name)).toEqual(['email', 'username', 'name', 'password']);

    const submitted = await submitFlow(server, TENANT, started.body, { email: 'Dana@Example.com', username: 'dana', password: 'violet-harbor-engine-42' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe('sent_email');

    const mail = await sink.waitForMail({ to: 'dana@example.com' });
    expect(mail.subject).toMatch(/verify/i);
    expect(linksIn(mail).some((link) => link.startsWith(`${server.issuer(TENANT)}/account/verification/confirm?token=`))).toBe(true);

    // Unverified: sign-in is refused with its own message (only after the right password).
    const early = await signInApi(server, TENANT, 'dana', 'violet-harbor-engine-42');
    expect(early.status).toBe(403);
    expect(messageCodes(early.body)._).toEqual(['account.unverified']);

    const wrong = await submitFlow(server, TENANT, started.body, { code: '000000' === codeIn(mail.text) ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(messageCodes(wrong.body).code).toEqual(['link.invalid']);

    const verified = await submitFlow(server, TENANT, started.body, { code: codeIn(mail.text) });
    expect(verified.status).toBe(200);
    expect(verified.body.state).toBe('success');
    const token = verified.body.session?.token ?? '';
    const me = await whoami(server, TENANT, token);
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: 'dana', email: 'Dana@example.com', email_verified: true });

    // The code is single-use, and so is the link's token once the address is verified? The link still verifies (idempotent).
    const again = await submitFlow(server, TENANT, started.body, { code: codeIn(mail.text) });
    expect(again.status).toBe(409);

    const signedIn = await signInApi(server, TENANT, 'DANA@example.com', 'violet-harbor-engine-42');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.session?.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('registers in one request (the flow started with its fields), then verifies with the mailed code on that flow', async () => {
    const { status, body: registered } = await startFlowWith(server, TENANT, 'registration',
      { email: 'gwen@example.com', username: 'gwen', password: 'violet-harbor-engine-42' });
    expect(status).toBe(200);
    expect(registered.state).toBe('sent_email');

    const mail = await sink.waitForMail({ to: 'gwen@example.com' });
    const verified = await submitFlow(server, TENANT, registered, { code: codeIn(mail.text) });
    expect(verified.status).toBe(200);
    expect(verified.body.state).toBe('success');
    expect((await whoami(server, TENANT, verified.body.session?.token ?? '')).body.user).toMatchObject({ username: 'gwen', email_verified: true });
  });

  it('answers the same for an address that already has an account, and tells its owner instead', async () => {
    const fresh = await runFlow(server, TENANT, 'registration', { email: 'erin@example.com', password: 'violet-harbor-engine-42' });
    const existing = await runFlow(server, TENANT, 'registration', { email: ALICE.email, password: 'violet-harbor-engine-42' });
    expect(existing.status).toBe(fresh.status);
    expect(existing.body.state).toBe(fresh.body.state);
    expect(existing.body.ui.messages[0]?.text.replace(ALICE.email, 'X')).toBe(fresh.body.ui.messages[0]?.text.replace('erin@example.com', 'X'));
    const notice = await sink.waitForMail({ to: ALICE.email });
    expect(notice.subject).not.toMatch(/verify/i);
    expect(notice.text).toContain('/account/recovery');
    // Alice's password is untouched.
    expect((await signInApi(server, TENANT, ALICE.username, ALICE.password)).status).toBe(200);
  });

  it('refuses bad input with a message on the field, and creates nothing', async () => {
    const cases: [Record<string, string>, Record<string, string[]>][] = [
      [{ email: 'not-an-email', password: 'violet-harbor-engine-42' }, { email: ['email.invalid'] }],
      [{ email: 'frank@example.com', username: 'pаypal', password: 'violet-harbor-engine-42' }, { username: ['username.mixed_script'] }],
      [{ email: `${'x'.repeat(1100)}@example.com`, password: 'violet-harbor-engine-42' }, { email: ['field.too_long'] }],
      [{ email: 'frank@example.com', password: 'p'.repeat(4097) }, { password: ['password.too_long'] }],
      [{ email: 'frank@example.com', password: 'short' }, { password: ['password.too_short'] }],
      [{ email: 'frank@example.com', password: 'password1' }, { password: ['password.common'] }],
      [{ email: 'frank@example.com', username: 'frankie', password: 'frankie-rules-2026' }, { password: ['password.contains_identifier'] }],
      [{ email: 'frank@example.com', username: ALICE.username, password: 'violet-harbor-engine-42' }, { username: ['username.taken'] }],
      [{ password: 'violet-harbor-engine-42' }, { email: ['field.required'] }],
    ];
    for (const [fields, expected] of cases) {
      const result = await runFlow(server, TENANT, 'registration', fields);
      expect(result.status, JSON.stringify(fields).slice(0, 80)).toBe(400);
      expect(messageCodes(result.body)).toEqual(expected);
      // Passwords are never echoed back.
      expect(JSON.stringify(result.body)).not.toContain(`"${fields.password}"`);
    }
    // frank was never created: a fully valid registration for him now succeeds as a new account (gets a verification mail).
    const ok = await runFlow(server, TENANT, 'registration', { email: 'frank@example.com', password: 'violet-harbor-engine-42' });
    expect(ok.body.state).toBe('sent_email');
    const mail = await sink.waitForMail({ to: 'frank@example.com' });
    expect(mail.subject).toMatch(/verify/i);
  });

  it('rejects malformed API calls with problem documents', async () => {
    const notJson = await fetch(`${server.url}/${TENANT}/api/flows/registration/${'a'.repeat(22)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' });
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('content-type')).toContain('application/problem+json');
    const unknownType = await fetch(`${server.url}/${TENANT}/api/flows/teleport`, { method: 'POST' });
    expect(unknownType.status).toBe(404);
    const unknownFlow = await fetch(`${server.url}/${TENANT}/api/flows/login/${'a'.repeat(22)}`);
    expect(unknownFlow.status).toBe(404);
    expect((await unknownFlow.json() as { code: string }).code).toBe('flow.not_found');
    const settingsWithoutSession = await startFlow(server, TENANT, 'settings');
    expect(settingsWithoutSession.status).toBe(401);
    const badToken = await whoami(server, TENANT, 'x'.repeat(43));
    expect(badToken.status).toBe(401);
  });
});
