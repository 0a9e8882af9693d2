import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { messageCodes, signInApi, startFlow, startFlowWith, submitFlow, whoami } from '../support/flows.js';
import { enrolTotp, freshTotpCode, groupsOf, securityAction } from './mfa-support.js';

const PASSWORD = 'granite-orchard-beacon-58';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({
    // MFA required, with only strong factors and recovery codes: an emailed code is not offered.
    accounts: { mfa: { policy: 'required', factors: ['totp', 'passkey', 'recovery_code'] } },
    extraUsers: ['greta', 'hugo'].map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
  }) });
});
afterAll(() => server?.dispose());

describe('MFA required by the tenant', () => {
  it('signs a user without a factor in only to set one up, then asks for it at every sign-in', async () => {
    const first = await signInApi(server, TENANT, 'greta', PASSWORD);
    expect(first.status).toBe(200);
    expect(messageCodes(first.body)._).toContain('mfa.enrolment_required');
    const token = first.body.session!.token;
    expect((await whoami(server, TENANT, token)).body.amr).toEqual(['pwd']);

    const { secret, token: upgraded } = await enrolTotp(server, TENANT, token);
    expect((await whoami(server, TENANT, upgraded)).body.amr).toEqual(['pwd', 'otp', 'mfa']);

    const started = await startFlow(server, TENANT, 'login');
    const second = await submitFlow(server, TENANT, started.body, { identifier: 'greta', password: PASSWORD });
    expect(second.body.state).toBe('second_factor');
    expect(second.body.session).toBeUndefined();
    expect(groupsOf(second.body)).toEqual(expect.arrayContaining(['totp']));
    expect(groupsOf(second.body)).not.toContain('email_code');
    const done = await submitFlow(server, TENANT, second.body, { method: 'totp', code: await freshTotpCode(secret) });
    expect(done.body.state).toBe('success');

    // The one-request form stops at the same step, and the flow it started takes the factor.
    const oneRequest = await startFlowWith(server, TENANT, 'login', { identifier: 'greta', password: PASSWORD });
    expect(oneRequest.status).toBe(200);
    expect(oneRequest.body.state).toBe('second_factor');
    expect(oneRequest.body.session).toBeUndefined();
    const finished = await submitFlow(server, TENANT, oneRequest.body, { method: 'totp', code: await freshTotpCode(secret) });
    expect(finished.body.state).toBe('success');
    expect((await whoami(server, TENANT, finished.body.session!.token)).body.amr).toEqual(['pwd', 'otp', 'mfa']);
  });

  it('refuses removing the last authenticator (409, audited, nothing removed) and allows it once another exists', async () => {
    const signedIn = await signInApi(server, TENANT, 'hugo', PASSWORD);
    const first = await enrolTotp(server, TENANT, signedIn.body.session!.token, 'Phone');
    const factors = () => readDatabase(server, (db) => db.selectFrom('user_factors as f').innerJoin('users as u', 'u.id', 'f.user_id')
      .select(['f.id', 'f.name']).where('u.username', '=', 'hugo').where('f.confirmed', '=', true).orderBy('f.created_at').execute());
    const [phone] = await factors();
    const refused = await securityAction(server, TENANT, first.token, { method: `totp:${phone!.id}`, action: 'remove' });
    expect(refused.status).toBe(409);
    expect(messageCodes(refused.body)._).toEqual(['mfa.last_strong_factor']);
    expect(await factors()).toHaveLength(1);
    const audit = await readDatabase(server, (db) => db.selectFrom('audit_events').select('data')
      .where('type', '=', 'mfa.enrolment_refused').execute());
    expect(audit.map((row) => (row.data as { reason?: string }).reason)).toContain('last_strong_factor');

    const second = await enrolTotp(server, TENANT, first.token, 'Tablet');
    const removed = await securityAction(server, TENANT, second.token, { method: `totp:${phone!.id}`, action: 'remove' });
    expect(removed.status).toBe(200);
    expect((await factors()).map((factor) => factor.name)).toEqual(['Tablet']);
  });
});
