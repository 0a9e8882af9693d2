import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { codeIn, messageCodes, signInApi, startFlow, submitFlow, whoami } from '../support/flows.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { groupsOf, securityAction } from './mfa-support.js';

const PASSWORD = 'copper-lagoon-whistle-19';
const SMS_TOKEN = 'sms-provider-token-0123456789';
const MFA = { factors: ['totp', 'recovery_code', 'email_code', 'sms_code'] };
const config = (users: string[]) => protocolConfig({
  accounts: { mfa: MFA, limits: { verificationPerEmail: { points: 100 } } },
  extraUsers: users.map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
});

/** A stand-in SMS provider on 127.0.0.1: records each request, answers with `status`. */
interface Provider { url: string; requests: { headers: IncomingHttpHeaders; body: Record<string, string> }[]; status: number; server: Server }

async function startProvider(): Promise<Provider> {
  const provider = { requests: [], status: 200 } as unknown as Provider;
  provider.server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
    request.on('end', () => {
      provider.requests.push({ headers: request.headers, body: JSON.parse(text) as Record<string, string> });
      response.writeHead(provider.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
  provider.url = `http://127.0.0.1:${(provider.server.address() as AddressInfo).port}/sms`;
  return provider;
}

async function passwordSession(server: TestServer, username: string): Promise<string> {
  const signedIn = await signInApi(server, TENANT, username, PASSWORD);
  expect(signedIn.body.state, JSON.stringify(signedIn.body)).toBe('success');
  return signedIn.body.session!.token;
}

describe('SMS codes through an HTTP provider', () => {
  let server: TestServer;
  let provider: Provider;
  beforeAll(async () => {
    provider = await startProvider();
    server = await startTestServer({ config: config(['sam', 'sia']), env: { TESSERA_SMS_URL: provider.url, TESSERA_SMS_TOKEN: SMS_TOKEN } });
  });
  afterAll(async () => {
    await server?.dispose();
    await new Promise((resolve) => provider?.server.close(resolve));
  });

  it('enrols a phone with a texted code, then asks for a texted code at sign-in', async () => {
    const token = await passwordSession(server, 'sam');
    const page = await startFlow(server, TENANT, 'security', token);
    expect(groupsOf(page.body)).toContain('sms_code');

    const bad = await submitFlow(server, TENANT, page.body, { method: 'sms_code', action: 'add', phone: '5551234' }, token);
    expect(bad.status).toBe(400);
    expect(messageCodes(bad.body).phone).toEqual(['sms_code.phone_invalid']);
    expect(provider.requests).toHaveLength(0);

    const added = await submitFlow(server, TENANT, bad.body, { method: 'sms_code', action: 'add', phone: '+1 555 123 4567' }, token);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(messageCodes(added.body)._).toEqual(['sms_code.sent']);
    const [request] = provider.requests;
    expect(request?.headers.authorization).toBe(`Bearer ${SMS_TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({ to: '+15551234567', text: expect.stringContaining('sign-in code'), tenant: TENANT });
    const enrolCode = codeIn(request!.body.text!);

    const wrong = await submitFlow(server, TENANT, added.body, { method: 'sms_code', action: 'confirm', code: enrolCode === '000000' ? '111111' : '000000' }, token);
    expect(wrong.status).toBe(400);
    expect(messageCodes(wrong.body).code).toEqual(['sms_code.code_invalid']);
    const confirmed = await submitFlow(server, TENANT, wrong.body, { method: 'sms_code', action: 'confirm', code: enrolCode }, token);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(messageCodes(confirmed.body)._).toEqual(['sms_code.enrolled']);
    expect((await whoami(server, TENANT, confirmed.body.session!.token)).body.amr).toEqual(['pwd', 'sms', 'mfa']);

    // The next sign-in asks for a texted code.
    const first = await signInApi(server, TENANT, 'sam', PASSWORD);
    expect(first.body.state).toBe('second_factor');
    expect(groupsOf(first.body)).toContain('sms_code');
    const sent = await submitFlow(server, TENANT, first.body, { method: 'sms_code' });
    expect(sent.status).toBe(200);
    expect(sent.body.state).toBe('sms_code_sent');
    const code = codeIn(provider.requests.at(-1)!.body.text!);
    const refused = await submitFlow(server, TENANT, sent.body, { method: 'sms_code', code: code === '000000' ? '111111' : '000000' });
    expect(refused.status).toBe(400);
    expect(messageCodes(refused.body).code).toEqual(['sms_code.code_invalid']);
    const done = await submitFlow(server, TENANT, sent.body, { method: 'sms_code', code });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.state).toBe('success');
    expect((await whoami(server, TENANT, done.body.session!.token)).body.amr).toEqual(['pwd', 'sms', 'mfa']);
    expect((await submitFlow(server, TENANT, sent.body, { method: 'sms_code', code })).status).toBe(409);

    // Removing the phone (a fresh session, so no re-authentication is needed).
    const security = await startFlow(server, TENANT, 'security', done.body.session!.token);
    const item = groupsOf(security.body).find((group) => group.startsWith('sms_code:'))!;
    const removed = await submitFlow(server, TENANT, security.body, { method: item, action: 'remove' }, done.body.session!.token);
    expect(removed.status).toBe(200);
    expect(messageCodes(removed.body)._).toEqual(['sms_code.removed']);
    expect(groupsOf(removed.body).some((group) => group.startsWith('sms_code:'))).toBe(false);

    const audit = await readDatabase(server, (db) => db.selectFrom('audit_events').select(['type', 'data'])
      .where('type', 'in', ['mfa.enrolled', 'mfa.used', 'mfa.failed', 'mfa.removed']).orderBy('id').execute());
    expect(audit.map((row) => [row.type, row.data.method, row.data.reason ?? row.data.stage ?? null])).toEqual([
      ['mfa.failed', 'sms_code', 'wrong_or_expired_code'], ['mfa.enrolled', 'sms_code', null], ['mfa.failed', 'sms_code', 'wrong_or_expired_code'],
      ['mfa.used', 'sms_code', null], ['mfa.removed', 'sms_code', null],
    ]);
    expect(JSON.stringify(audit)).not.toContain(code);
  });

  it('says so when the provider refuses, and stores nothing', async () => {
    const token = await passwordSession(server, 'sia');
    provider.status = 500;
    try {
      const refused = await securityAction(server, TENANT, token, { method: 'sms_code', action: 'add', phone: '+447700900123' });
      expect(refused.status).toBe(503);
      expect(messageCodes(refused.body)._).toEqual(['sms_code.send_failed']);
    } finally {
      provider.status = 200;
    }
    const confirmed = await readDatabase(server, (db) => db.selectFrom('user_factors').select('id').where('kind', '=', 'sms').where('confirmed', '=', true)
      .where('user_id', '=', db.selectFrom('users').select('id').where('username', '=', 'sia')).execute());
    expect(confirmed).toHaveLength(0);
  });
});

describe('SMS codes without a provider: the development outbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: config(['otto']) });
  });
  afterAll(() => server?.dispose());

  it('writes the text to the outbox, where tessera mail list and /dev/outbox show it', async () => {
    // A start-up warning beside the mail one, in words, not a JSON log line.
    expect(server.output()).toMatch(/^warning: No TESSERA_SMS_URL: SMS codes go to the development outbox/m);
    const token = await passwordSession(server, 'otto');
    const added = await securityAction(server, TENANT, token, { method: 'sms_code', action: 'add', phone: '+15550001111' });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const [row] = await readDatabase(server, (db) => db.selectFrom('mail_outbox').select(['recipient', 'template', 'text_body'])
      .where('recipient', '=', '+15550001111').execute());
    expect(row).toMatchObject({ template: 'sms-code' });
    const outbox = await (await fetch(`${server.url}/dev/outbox`)).text();
    expect(outbox).toContain('+15550001111');
    // The enrolment goes on with the code from the outbox.
    const confirmed = await submitFlow(server, TENANT, added.body, { method: 'sms_code', action: 'confirm', code: codeIn(row!.text_body) }, token);
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(messageCodes(confirmed.body)._).toEqual(['sms_code.enrolled']);
  });
});
