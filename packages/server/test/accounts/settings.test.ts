import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startSmtpSink, linksIn, type SmtpSink } from '../support/smtp-sink.js';
import { BOB, protocolConfig, TENANT } from '../support/fixtures.js';
import { messageCodes, signInApi, startFlow, submitFlow, whoami } from '../support/flows.js';

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

async function settings(token: string, fields: Record<string, string>) {
  const flow = await startFlow(server, TENANT, 'settings', token);
  expect(flow.status).toBe(201);
  return submitFlow(server, TENANT, flow.body, fields, token);
}

describe('account settings (flows API)', () => {
  let password: string = BOB.password;

  it('changes the password after re-authentication, ending every other session', async () => {
    const other = (await signInApi(server, TENANT, BOB.username, password)).body.session?.token ?? '';
    const mine = (await signInApi(server, TENANT, BOB.username, password)).body.session?.token ?? '';
    const wrong = await settings(mine, { method: 'password', current_password: 'not-it', new_password: 'fresh-secret-phrase-2026' });
    expect(wrong.status).toBe(400);
    expect(messageCodes(wrong.body).current_password).toEqual(['settings.wrong_password']);
    const weak = await settings(mine, { method: 'password', current_password: password, new_password: 'qwertyuiop' });
    expect(messageCodes(weak.body).new_password).toEqual(['password.common']);

    const changed = await settings(mine, { method: 'password', current_password: password, new_password: 'fresh-secret-phrase-2026' });
    expect(changed.status).toBe(200);
    password = 'fresh-secret-phrase-2026';
    const renewed = changed.body.session?.token ?? '';
    expect((await whoami(server, TENANT, renewed)).status).toBe(200);
    expect((await whoami(server, TENANT, other)).status).toBe(401);
    expect((await whoami(server, TENANT, mine)).status).toBe(401);
    const notice = await sink.waitForMail((m) => m.to.includes(BOB.email) && /changed/i.test(m.subject));
    expect(notice.text).not.toContain(password);
  });

  it('changes the email once the new address confirms, and tells the old one', async () => {
    const token = (await signInApi(server, TENANT, BOB.username, password)).body.session?.token ?? '';
    const requested = await settings(token, { method: 'email', current_password: password, new_email: 'robert@example.com' });
    expect(requested.status).toBe(200);
    expect(messageCodes(requested.body)._).toEqual(['settings.email_link_sent']);
    // Nothing changes until the link is opened.
    expect((await whoami(server, TENANT, token)).body.user).toMatchObject({ email: BOB.email });
    const mail = await sink.waitForMail((m) => m.to.includes('robert@example.com'));
    const link = linksIn(mail).find((l) => l.includes('/account/settings/email/confirm?token=')) ?? '';
    const confirmed = await fetch(link);
    expect(confirmed.status).toBe(200);
    expect((await fetch(link)).status).toBe(400);
    const old = await sink.waitForMail((m) => m.to.includes(BOB.email) && m.text.includes('robert@example.com'));
    expect(old.subject).toMatch(/email/i);
    expect((await signInApi(server, TENANT, 'robert@example.com', password)).status).toBe(200);
    expect((await signInApi(server, TENANT, BOB.email, password)).status).toBe(400);
  });

  it('deletes the account after typing DELETE and the password', async () => {
    const token = (await signInApi(server, TENANT, BOB.username, password)).body.session?.token ?? '';
    const unconfirmed = await settings(token, { method: 'delete', current_password: password, confirm: 'delete' });
    expect(messageCodes(unconfirmed.body).confirm).toEqual(['settings.confirm_delete']);
    const deleted = await settings(token, { method: 'delete', current_password: password, confirm: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(messageCodes(deleted.body)._).toEqual(['settings.account_deleted']);
    expect((await whoami(server, TENANT, token)).status).toBe(401);
    expect((await signInApi(server, TENANT, BOB.username, password)).status).toBe(400);
    await server.stop();
    const rows = await server.db().selectFrom('users').select('id').where('username', '=', BOB.username).execute();
    expect(rows).toHaveLength(0);
    const audit = await server.db().selectFrom('audit_events').select('type').where('type', '=', 'user.deleted').execute();
    expect(audit).toHaveLength(1);
  });
});
