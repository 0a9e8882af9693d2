import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { messageCodes, signInApi, startFlow, submitFlow, whoami } from '../support/flows.js';
import { enrolTotp, freshTotpCode, groupsOf, nodeValue, securityAction, staleSession, totpCode } from './mfa-support.js';

const PASSWORD = 'violet-harbour-lantern-42';
const USERS = ['tara', 'rhea', 'bruno', 'stella', 'remy'] as const;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({
    // The default policy, `optional`: a user who set up an authenticator app must use it.
    accounts: { limits: { signIn: { delayAfter: 3, blockAfter: 50 } } },
    extraUsers: USERS.map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
  }) });
});
afterAll(() => server?.dispose());

async function session(username: string): Promise<string> {
  const signedIn = await signInApi(server, TENANT, username, PASSWORD);
  expect(signedIn.body.state, JSON.stringify(signedIn.body)).toBe('success');
  return signedIn.body.session!.token;
}

const userId = async (token: string) => String(((await whoami(server, TENANT, token)).body.user as { id: string }).id);

/** A password sign-in that stops at the second step. */
async function toSecondStep(username: string) {
  const started = await startFlow(server, TENANT, 'login');
  const first = await submitFlow(server, TENANT, started.body, { identifier: username, password: PASSWORD });
  expect(first.status).toBe(200);
  expect(first.body.state).toBe('second_factor');
  expect(first.body.session).toBeUndefined();
  return first.body;
}

describe('authenticator apps (TOTP)', () => {
  it('enrols with a QR code and a code, then asks for a code at every sign-in', async () => {
    const token = await session('tara');
    const id = await userId(token);
    const flow = await startFlow(server, TENANT, 'security', token);
    expect(flow.status).toBe(201);
    expect(groupsOf(flow.body)).toContain('totp');

    const added = await submitFlow(server, TENANT, flow.body, { method: 'totp', action: 'add' }, token);
    expect(added.status).toBe(200);
    expect(messageCodes(added.body)._).toEqual(['totp.scan']);
    const secret = nodeValue(added.body, 'secret') ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes
    expect(nodeValue(added.body, 'qr_code')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from((nodeValue(added.body, 'qr_code') ?? '').split(',')[1]!, 'base64').toString()).toContain('<svg');
    const uri = new URL(nodeValue(added.body, 'otpauth_uri') ?? '');
    expect(uri.protocol).toBe('otpauth:');
    expect([uri.host, decodeURIComponent(uri.pathname)]).toEqual(['totp', '/Demo:tara']);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret, issuer: 'Demo', algorithm: 'SHA1', digits: '6', period: '30' });
    expect(added.body.ui.nodes.map((node) => node.name)).toEqual(expect.arrayContaining(['code', 'name']));

    const wrong = await submitFlow(server, TENANT, added.body, { method: 'totp', action: 'confirm', code: '000000' === totpCode(secret) ? '111111' : '000000' }, token);
    expect(wrong.status).toBe(400);
    expect(messageCodes(wrong.body).code).toEqual(['mfa.code_invalid']);
    expect(nodeValue(wrong.body, 'secret')).toBe(secret);

    const confirmed = await submitFlow(server, TENANT, wrong.body,
      { method: 'totp', action: 'confirm', code: await freshTotpCode(secret), name: 'Pixel phone' }, token);
    expect(confirmed.status).toBe(200);
    expect(messageCodes(confirmed.body)._).toEqual(['totp.enrolled', 'recovery_codes.offer']);
    const upgraded = confirmed.body.session!.token;
    expect((await whoami(server, TENANT, upgraded)).body.amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await whoami(server, TENANT, token)).status).toBe(401);
    const listed = groupsOf(confirmed.body).filter((group) => group.startsWith('totp:'));
    expect(listed).toHaveLength(1);

    const second = await toSecondStep('tara');
    expect(second.ui.nodes.find((node) => node.name === 'code' && (node as { group?: string }).group === 'totp')).toBeDefined();
    expect(messageCodes(second)._).toEqual(['mfa.second_factor_needed']);
    const done = await submitFlow(server, TENANT, second, { method: 'totp', code: await freshTotpCode(secret) });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('success');
    const me = await whoami(server, TENANT, done.body.session!.token);
    expect(me.body.amr).toEqual(['pwd', 'otp', 'mfa']);

    const { factors, audit } = await readDatabase(server, async (db) => ({
      factors: await db.selectFrom('user_factors').selectAll().where('user_id', '=', id).execute(),
      audit: await db.selectFrom('audit_events').select(['type', 'data']).where('subject', '=', id).where('type', 'like', 'mfa.%').orderBy('created_at').execute(),
    }));
    expect(factors).toHaveLength(1);
    expect(factors[0]).toMatchObject({ kind: 'totp', name: 'Pixel phone', confirmed: true });
    expect(factors[0]!.secret).not.toContain(secret);
    expect(factors[0]!.last_used_at).not.toBeNull();
    expect(audit.map((row) => row.type)).toEqual(['mfa.failed', 'mfa.enrolled', 'mfa.used']);
    expect(audit[0]!.data).toMatchObject({ method: 'totp', reason: 'invalid_code', stage: 'enrolment' });
    expect(audit[1]!.data).toMatchObject({ method: 'totp', factorId: factors[0]!.id });
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('refuses a replayed code and a code from three steps away', async () => {
    const { secret } = await enrolTotp(server, TENANT, await session('rhea'));
    const code = await freshTotpCode(secret);
    const first = await submitFlow(server, TENANT, await toSecondStep('rhea'), { method: 'totp', code });
    expect(first.body.state).toBe('success');

    const again = await toSecondStep('rhea');
    const replayed = await submitFlow(server, TENANT, again, { method: 'totp', code });
    expect(replayed.status).toBe(400);
    expect(replayed.body.state).toBe('second_factor');
    expect(replayed.body.session).toBeUndefined();
    expect(messageCodes(replayed.body)._).toEqual(['mfa.code_used']);
    const old = await submitFlow(server, TENANT, again, { method: 'totp', code: totpCode(secret, Date.now() - 90_000) });
    expect(old.status).toBe(400);
    expect(messageCodes(old.body)._).toEqual(['mfa.code_invalid']);
    const malformed = await submitFlow(server, TENANT, again, { method: 'totp', code: '12345x' });
    expect(messageCodes(malformed.body)._).toEqual(['mfa.code_invalid']);

    const id = await userId(first.body.session!.token);
    const failures = await readDatabase(server, (db) => db.selectFrom('audit_events').select('data').where('type', '=', 'mfa.failed')
      .where('subject', '=', id).orderBy('created_at').execute());
    const reasons = failures.map((row) => row.data.reason);
    expect(reasons).toEqual(['replayed_code', 'invalid_code', 'invalid_code']);
    expect(JSON.stringify(failures)).not.toContain(code);
  });

  it('counts wrong codes toward the brute-force limits of the account', async () => {
    const { secret } = await enrolTotp(server, TENANT, await session('bruno'));
    const id = await userId((await submitFlow(server, TENANT, await toSecondStep('bruno'), { method: 'totp', code: await freshTotpCode(secret) })).body.session!.token);
    const flow = await toSecondStep('bruno');
    const wrongCode = totpCode(secret, Date.now() - 300_000);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const wrong = await submitFlow(server, TENANT, flow, { method: 'totp', code: wrongCode });
      expect(wrong.status).toBe(400);
    }
    // After `delayAfter` (3) failures the account waits, for this code and for the password alike.
    const throttled = await submitFlow(server, TENANT, flow, { method: 'totp', code: totpCode(secret) });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(messageCodes(throttled.body)._).toEqual(['signin.throttled']);
    expect((await signInApi(server, TENANT, 'bruno', PASSWORD)).status).toBe(429);

    const rows = await readDatabase(server, (db) => db.selectFrom('audit_events').select(['type', 'data'])
      .where('subject', '=', id).where('type', 'in', ['mfa.failed', 'signin.throttled']).orderBy('created_at').execute());
    expect(rows.filter((row) => row.type === 'mfa.failed').map((row) => row.data.failures)).toEqual([1, 2, 3]);
    expect(rows.find((row) => row.type === 'signin.throttled')?.data).toMatchObject({ method: 'totp', gate: 'delayed' });
  });

  it('refuses adding an authenticator without a fresh sign-in, storing nothing', async () => {
    const token = await session('stella');
    const id = await userId(token);
    await staleSession(server, TENANT, token);
    const refused = await securityAction(server, TENANT, token, { method: 'totp', action: 'add' });
    expect(refused.status).toBe(403);
    expect(messageCodes(refused.body)._).toEqual(['mfa.reauthenticate']);
    expect(nodeValue(refused.body, 'secret')).toBeUndefined();
    const { factors, audit } = await readDatabase(server, async (db) => ({
      factors: await db.selectFrom('user_factors').select('id').where('user_id', '=', id).execute(),
      audit: await db.selectFrom('audit_events').select(['data', 'outcome']).where('subject', '=', id).where('type', '=', 'mfa.enrolment_refused').execute(),
    }));
    expect(factors).toEqual([]);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'failure', data: { method: 'totp', action: 'add', reason: 'stale_sign_in' } });
  });

  it('keeps several authenticators and removes them one at a time', async () => {
    const phone = await enrolTotp(server, TENANT, await session('remy'), 'Phone');
    const tablet = await enrolTotp(server, TENANT, phone.token, 'Tablet');
    const id = await userId(tablet.token);
    const page = await startFlow(server, TENANT, 'security', tablet.token);
    const items = groupsOf(page.body).filter((group) => group.startsWith('totp:'));
    expect(items).toHaveLength(2);
    expect(page.body.ui.nodes.filter((node) => node.name === 'last_used')).toHaveLength(2);

    // Either authenticator signs in.
    const withTablet = await submitFlow(server, TENANT, await toSecondStep('remy'), { method: 'totp', code: await freshTotpCode(tablet.secret) });
    expect(withTablet.body.state).toBe('success');

    const unknown = await submitFlow(server, TENANT, page.body, { method: 'totp:00000000-0000-4000-8000-000000000000', action: 'remove' }, tablet.token);
    expect(unknown.status).toBe(404);
    expect(messageCodes(unknown.body)._).toEqual(['mfa.factor_not_found']);

    const removed = await submitFlow(server, TENANT, page.body, { method: items[0]!, action: 'remove' }, tablet.token);
    expect(removed.status).toBe(200);
    expect(messageCodes(removed.body)._).toEqual(['totp.removed']);
    expect(groupsOf(removed.body).filter((group) => group.startsWith('totp:'))).toEqual([items[1]]);
    const oldPhone = await submitFlow(server, TENANT, await toSecondStep('remy'), { method: 'totp', code: await freshTotpCode(phone.secret) });
    expect(messageCodes(oldPhone.body)._).toEqual(['mfa.code_invalid']);

    const last = await submitFlow(server, TENANT, removed.body, { method: items[1]!, action: 'remove' }, tablet.token);
    expect(last.status).toBe(200);
    // Nothing strong is left: the password alone signs in again under the optional policy.
    expect((await signInApi(server, TENANT, 'remy', PASSWORD)).body.state).toBe('success');

    const { factors, audit } = await readDatabase(server, async (db) => ({
      factors: await db.selectFrom('user_factors').select('id').where('user_id', '=', id).execute(),
      audit: await db.selectFrom('audit_events').select('data').where('subject', '=', id).where('type', '=', 'mfa.removed').execute(),
    }));
    expect(factors).toEqual([]);
    expect(audit.map((row) => row.data.factorId).sort()).toEqual(items.map((item) => item.slice('totp:'.length)).sort());
  });
});
