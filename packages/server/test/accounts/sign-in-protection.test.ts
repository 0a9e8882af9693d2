import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startSmtpSink, linksIn, type SmtpSink } from '../support/smtp-sink.js';
import { ALICE, BOB, protocolConfig, TENANT } from '../support/fixtures.js';
import { messageCodes, signInApi, whoami } from '../support/flows.js';

let sink: SmtpSink;
beforeAll(async () => { sink = await startSmtpSink(); });
afterAll(async () => { await sink?.close(); });

describe('growing delay and per-address throttling', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: protocolConfig({ accounts: { limits: { signIn: { delayAfter: 2, blockAfter: 50 }, signInPerIp: { points: 4, windowSeconds: 3600 } } } }),
      env: { TESSERA_SMTP_URL: sink.url },
    });
  });
  afterAll(async () => { await server?.dispose(); });

  it('delays an account after repeated failures, then throttles the address across accounts', async () => {
    for (let i = 0; i < 2; i++) expect((await signInApi(server, TENANT, BOB.username, 'wrong-password')).status).toBe(400);
    const delayed = await signInApi(server, TENANT, BOB.username, BOB.password);
    expect(delayed.status).toBe(429);
    expect(Number(delayed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(messageCodes(delayed.body)._).toEqual(['signin.throttled']);
    // Other accounts are not delayed by Bob's failures…
    expect((await signInApi(server, TENANT, 'nobody-1', 'wrong-password')).status).toBe(400);
    expect((await signInApi(server, TENANT, 'nobody-2', 'wrong-password')).status).toBe(400);
    // …but four failures from one address in the window throttle it for every account (credential stuffing).
    const throttled = await signInApi(server, TENANT, ALICE.username, ALICE.password);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('block after too many failures, unblock link, account states, hash upgrade', () => {
  let server: TestServer;
  const legacyPassword = 'imported-from-django-2019';
  beforeAll(async () => {
    const legacyHash = bcrypt.hashSync(legacyPassword, 4);
    const config = protocolConfig({
      accounts: { limits: { signIn: { delayAfter: 100, blockAfter: 3 } } },
      extraUsers: [
        { username: 'legacy', email: 'legacy@example.com', emailVerified: true, passwordHash: legacyHash },
        { username: 'pending', email: 'pending@example.com', password: 'pending-user-password-1' },
      ],
    });
    server = await startTestServer({ config, env: { TESSERA_SMTP_URL: sink.url } });
  });
  afterAll(async () => { await server?.dispose(); });

  it('blocks (account, address) after three failures, mails an unblock link, and the link lifts the block', async () => {
    for (let i = 0; i < 3; i++) expect((await signInApi(server, TENANT, ALICE.email, `wrong-${i}`)).status).toBe(400);
    const blocked = await signInApi(server, TENANT, ALICE.username, ALICE.password);
    expect(blocked.status).toBe(429);
    expect(messageCodes(blocked.body)._).toEqual(['signin.blocked']);
    const mail = await sink.waitForMail((m) => m.to.includes(ALICE.email) && linksIn(m).some((l) => l.includes('/account/unblock?token=')));
    expect(mail.text).toContain('127.0.0.1');
    const link = linksIn(mail).find((l) => l.includes('/account/unblock?token=')) ?? '';
    const unblocked = await fetch(link);
    expect(unblocked.status).toBe(200);
    expect((await fetch(link)).status).toBe(400); // single-use
    expect((await signInApi(server, TENANT, ALICE.username, ALICE.password)).status).toBe(200);
  });

  it('an unknown account is "blocked" the same way, and nobody is mailed', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await signInApi(server, TENANT, 'ghost@example.com', `wrong-${i}`));
    expect(results.map((r) => r.status)).toEqual([400, 400, 400, 429]);
    expect(messageCodes(results[3]!.body)._).toEqual(['signin.blocked']);
    await expect(sink.waitForMail({ to: 'ghost@example.com' }, 1000)).rejects.toThrow(/no matching mail/);
  });

  it('upgrades an imported bcrypt hash to argon2id on the first successful sign-in', async () => {
    expect((await signInApi(server, TENANT, 'legacy', 'wrong-password')).status).toBe(400);
    const ok = await signInApi(server, TENANT, 'legacy', legacyPassword);
    expect(ok.status).toBe(200);
    expect((await signInApi(server, TENANT, 'legacy', legacyPassword)).status).toBe(200);
    await server.stop();
    const row = await server.db().selectFrom('users').select(['password_hash']).where('username', '=', 'legacy').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const audits = await server.db().selectFrom('audit_events').select(['type', 'data']).where('type', '=', 'user.password_rehashed').execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]?.data).toMatchObject({ from: 'bcrypt', to: 'argon2id' });
    await server.restart();
  });

  it('says why only after the right password: pending verification, then disabled by an administrator', async () => {
    const pendingWrong = await signInApi(server, TENANT, 'pending', 'not-the-password');
    expect(messageCodes(pendingWrong.body)._).toEqual(['signin.invalid_credentials']);
    const pending = await signInApi(server, TENANT, 'pending', 'pending-user-password-1');
    expect(pending.status).toBe(403);
    expect(messageCodes(pending.body)._).toEqual(['account.unverified']);

    const session = (await signInApi(server, TENANT, BOB.username, BOB.password)).body.session?.token ?? '';
    expect((await whoami(server, TENANT, session)).status).toBe(200);
    await server.stop();
    const disabled = await server.cli(['users', 'disable', '--tenant', TENANT, BOB.username]);
    expect(disabled.code, disabled.stderr).toBe(0);
    await server.restart();
    expect((await whoami(server, TENANT, session)).status).toBe(401);
    const refused = await signInApi(server, TENANT, BOB.username, BOB.password);
    expect(refused.status).toBe(403);
    expect(messageCodes(refused.body)._).toEqual(['account.disabled']);
    const wrong = await signInApi(server, TENANT, BOB.username, 'not-the-password');
    expect(messageCodes(wrong.body)._).toEqual(['signin.invalid_credentials']);
  });
});
