import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../support/http.js';
import { csrfOf, protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { codeIn, messageCodes, startFlow, submitFlow, whoami, type FlowJson } from '../support/flows.js';
import { linksIn, startSmtpSink, type ReceivedMail, type SmtpSink } from '../support/smtp-sink.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { groupsOf } from './mfa-support.js';

const PASSWORD = 'amber-meadow-compass-77';
const USERS = ['erin', 'dora', 'ezra', 'fay', 'gus', 'hana'] as const;

let server: TestServer;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({
    config: protocolConfig({
      accounts: { limits: { verificationPerEmail: { points: 100 }, signIn: { delayAfter: 3, blockAfter: 50 } } },
      extraUsers: USERS.map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
    }),
    env: { TESSERA_SMTP_URL: sink.url },
  });
});
afterAll(async () => {
  await server?.dispose();
  await sink?.close();
});

const signInMail = (to: string) => sink.waitForMail((m) => m.to.includes(to) && m.subject.includes('Sign in'));
const linkOf = (mail: ReceivedMail) => linksIn(mail).find((href) => href.includes('/account/login/link?token='))!;

/** A first-step sign-in by email through the JSON API, up to the "we sent you a mail" state. */
async function askForCode(identifier: string): Promise<FlowJson> {
  const started = await startFlow(server, TENANT, 'login');
  expect(groupsOf(started.body)).toContain('email_code');
  const identify = await submitFlow(server, TENANT, started.body, { method: 'email_code' });
  expect(identify.status).toBe(200);
  expect(identify.body.state).toBe('email_code_identify');
  const sent = await submitFlow(server, TENANT, identify.body, { method: 'email_code', identifier });
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  expect(sent.body.state).toBe('email_code_sent');
  return sent.body;
}

async function auditOf(type: string, username: string) {
  return readDatabase(server, (db) => db.selectFrom('audit_events').select(['data', 'outcome']).where('type', '=', type)
    .where('subject', '=', db.selectFrom('users').select(sql<string>`id::text`.as('id')).where('username', '=', username))
    .orderBy('id').execute());
}

describe('emailed sign-in code (JSON API)', () => {
  it('signs in with the code from the mail, once; amr is email; the link of the same mail is void after', async () => {
    const flow = await askForCode('erin');
    expect(messageCodes(flow)._).toEqual(['email_code.sent']);
    const mail = await signInMail('erin@example.com');
    const code = codeIn(mail.text);
    const done = await submitFlow(server, TENANT, flow, { method: 'email_code', code });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.state).toBe('success');
    const me = await whoami(server, TENANT, done.body.session!.token);
    expect(me.body.amr).toEqual(['email']);

    // The same code again: the flow is done; in a new flow, the code is not bound to it.
    expect((await submitFlow(server, TENANT, flow, { method: 'email_code', code })).status).toBe(409);
    const other = await askForCode('erin');
    await signInMail('erin@example.com');
    const replay = await submitFlow(server, TENANT, other, { method: 'email_code', code });
    expect(replay.status).toBe(400);
    expect(messageCodes(replay.body).code).toEqual(['email_code.code_invalid']);
    // The first mail's link went with its code.
    expect((await fetch(linkOf(mail))).status).toBe(400);
    const used = await auditOf('mfa.used', 'erin');
    expect(used.map((row) => row.data)).toEqual([expect.objectContaining({ method: 'email_code', via: 'code' })]);
    expect(JSON.stringify(await auditOf('mfa.failed', 'erin'))).not.toContain(code);
  });

  it('counts wrong codes toward the brute-force limits of the account', async () => {
    const flow = await askForCode('dora');
    const mail = await signInMail('dora@example.com');
    const right = codeIn(mail.text);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let attempt = 1; attempt <= 3; attempt++) {
      const refused = await submitFlow(server, TENANT, flow, { method: 'email_code', code: wrong });
      expect(refused.status).toBe(400);
      expect(messageCodes(refused.body).code).toEqual(['email_code.code_invalid']);
    }
    // delayAfter: 3 — the account now waits, even for the right code.
    const throttled = await submitFlow(server, TENANT, flow, { method: 'email_code', code: right });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    const failed = await auditOf('mfa.failed', 'dora');
    expect(failed.map((row) => row.data.reason)).toEqual(['wrong_or_expired_code', 'wrong_or_expired_code', 'wrong_or_expired_code', 'throttled']);
    expect(failed.every((row) => row.data.method === 'email_code' && row.outcome === 'failure')).toBe(true);
  });

  it('refuses an expired code', async () => {
    const flow = await askForCode('ezra');
    const code = codeIn((await signInMail('ezra@example.com')).text);
    await readDatabase(server, (db) => db.updateTable('account_tokens').set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where('purpose', 'in', ['signin_code', 'signin_link'])
      .where('user_id', '=', db.selectFrom('users').select('id').where('username', '=', 'ezra')).execute());
    const refused = await submitFlow(server, TENANT, flow, { method: 'email_code', code });
    expect(refused.status).toBe(400);
    expect(messageCodes(refused.body).code).toEqual(['email_code.code_invalid']);
    expect(refused.body.session).toBeUndefined();
  });

  it('answers an unknown identifier exactly like a known one, and mails nothing', async () => {
    const known = await askForCode('hana@example.com');
    const unknown = await askForCode('nobody@example.com');
    const shape = (flow: FlowJson) => ({ state: flow.state, codes: messageCodes(flow), nodes: flow.ui.nodes.map((n) => [n.name, n.type, n.value]),
      text: flow.ui.messages.map((m) => m.text.replace(/\S+@example\.com/, '…')) });
    expect(shape(unknown)).toEqual(shape(known));
    await signInMail('hana@example.com');
    const refused = await submitFlow(server, TENANT, unknown, { method: 'email_code', code: '123456' });
    expect(refused.status).toBe(400);
    expect(messageCodes(refused.body).code).toEqual(['email_code.code_invalid']);
    expect(sink.messages.some((m) => JSON.stringify(m.to).includes('nobody@example.com'))).toBe(false);
  });
});

/** The sign-in page in a cookie-keeping client, up to "we sent you a mail". */
async function askOnPages(http: HttpClient, identifier: string): Promise<{ url: string; html: string }> {
  const start = await http.follow(`${server.url}/${TENANT}/account/login`);
  let html = await start.response.text();
  const url = start.url;
  const post = async (fields: Record<string, string>) => {
    const res = await http.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(html), ...fields }) });
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  html = (await post({ method: 'email_code', action: 'start' })).html;
  const sent = await post({ method: 'email_code', action: 'send', identifier });
  expect(sent.status).toBe(200);
  expect(sent.html).toContain('email_code:check');
  return { url, html: sent.html };
}

async function postForm(http: HttpClient, url: string, html: string, fields: Record<string, string>) {
  const res = await http.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrfOf(html), ...fields }) });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}

const linkPage = (link: string) => `${new URL(link).origin}${new URL(link).pathname}`;
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

describe('magic link', () => {
  it('completes the sign-in in the browser that asked; a used link is refused and changes nothing', async () => {
    const browser = createHttpClient();
    await askOnPages(browser, 'fay');
    expect(browser.jar.get('tessera_signin_binding')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const link = linkOf(await signInMail('fay@example.com'));

    const confirm = await browser.fetch(link);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain('value="sign_in"');
    const done = await postForm(browser, linkPage(link), page, { token: tokenOf(link), action: 'sign_in' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`/${TENANT}/account/settings`);
    const session = browser.jar.get('tessera_session');
    expect(session).toBeTruthy();
    expect((await whoami(server, TENANT, session!)).body.amr).toEqual(['email']);

    const again = await createHttpClient().fetch(link);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('expired or was already used');
    const replay = await postForm(browser, linkPage(link), page, { token: tokenOf(link), action: 'sign_in' });
    expect(replay.status).toBe(400);
    const failed = await auditOf('mfa.failed', 'fay');
    expect(failed.map((row) => row.data.reason)).toEqual(['link_used_or_expired', 'link_used_or_expired']);
  });

  it('in another browser asks to approve; the asking browser then continues, the other is not signed in', async () => {
    const asking = createHttpClient();
    const sent = await askOnPages(asking, 'gus');
    const link = linkOf(await signInMail('gus@example.com'));

    // Before approval, "Continue" says so.
    const early = await postForm(asking, sent.url, sent.html, { method: 'email_code:check' });
    expect(early.status).toBe(400);
    expect(early.html).toContain('not been approved yet');

    const other = createHttpClient({ headers: { 'user-agent': 'OtherPhone/1.0' } });
    const page = await other.fetch(link);
    const html = await page.text();
    expect(html).toContain('Approve sign-in on the other device');
    expect(html).toContain('value="approve"');
    const approved = await postForm(other, linkPage(link), html, { token: tokenOf(link), action: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.html).toContain('Sign-in approved');
    expect(other.jar.get('tessera_session')).toBeUndefined();

    const continued = await postForm(asking, sent.url, early.html, { method: 'email_code:check' });
    expect(continued.status).toBe(303);
    expect(continued.location).toBe(`/${TENANT}/account/settings`);
    expect((await whoami(server, TENANT, asking.jar.get('tessera_session')!)).body.amr).toEqual(['email']);
    // Spent: neither the link nor a second "continue" works again.
    expect((await other.fetch(link)).status).toBe(400);
    const approvals = await auditOf('mfa.link_approved', 'gus');
    expect(approvals).toHaveLength(1);
    expect((await auditOf('mfa.used', 'gus')).map((row) => row.data.via)).toEqual(['link_approved']);
  });
});
