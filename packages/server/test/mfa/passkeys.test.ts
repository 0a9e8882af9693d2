import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { messageCodes, signInApi, startFlow, submitFlow, whoami, type FlowJson, type FlowResponse } from '../support/flows.js';
import { groupsOf, nodeValue, staleSession } from './mfa-support.js';
import { createSoftAuthenticator, TEST_AAGUID, type SoftAuthenticator, type Tweak } from './webauthn-authenticator.js';

/**
 * Passkeys through the flows JSON API, with a software authenticator standing in for the browser
 * and the device: registration on the security page, passwordless sign-in, passkeys as a second
 * step, and the answers WebAuthn says to refuse (wrong origin, RP ID, challenge, counter…).
 */

const PASSWORD = 'violet-harbour-lantern-42';
const USERS = ['petra', 'sam', 'hugo', 'ines', 'oscar', 'vera', 'nina'] as const;

let server: TestServer;
let origin: string;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({
    accounts: { limits: { signIn: { delayAfter: 50, blockAfter: 100 } } },
    extraUsers: USERS.map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
  }) });
  origin = new URL(server.url).origin;
});
afterAll(() => server?.dispose());

const FIELD = 'webauthn_response';
const group = (node: FlowJson['ui']['nodes'][number]) => (node as { group?: string }).group;

async function session(username: string): Promise<string> {
  const signedIn = await signInApi(server, TENANT, username, PASSWORD);
  expect(signedIn.body.state, JSON.stringify(signedIn.body)).toBe('success');
  return signedIn.body.session!.token;
}

const userId = async (token: string) => String(((await whoami(server, TENANT, token)).body.user as { id: string }).id);

/** "Add a passkey" on the security page: the flow with the creation options in its webauthn node. */
async function startRegistration(token: string): Promise<{ flow: FlowResponse; options: string }> {
  const started = await startFlow(server, TENANT, 'security', token);
  expect(started.status).toBe(201);
  const flow = await submitFlow(server, TENANT, started.body, { method: 'passkey', action: 'add' }, token);
  return { flow, options: nodeValue(flow.body, FIELD, 'passkey') ?? '' };
}

/** Registers a passkey of `authenticator`; returns the new session's token (the old one ends). */
async function register(token: string, authenticator: SoftAuthenticator, name?: string): Promise<{ token: string; finished: FlowResponse }> {
  const { flow, options } = await startRegistration(token);
  expect(flow.status, JSON.stringify(flow.body)).toBe(200);
  const finished = await submitFlow(server, TENANT, flow.body,
    { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(authenticator.create(options)), ...(name ? { name } : {}) }, token);
  expect(finished.status, JSON.stringify(finished.body)).toBe(200);
  return { token: finished.body.session!.token, finished };
}

/** A login flow's first step, and the options of its passkey node. */
async function loginOptions(): Promise<{ flow: FlowJson; options: string }> {
  const started = await startFlow(server, TENANT, 'login');
  expect(started.status).toBe(201);
  return { flow: started.body, options: nodeValue(started.body, FIELD, 'passkey') ?? '' };
}

async function passkeySignIn(authenticator: SoftAuthenticator, tweak: Tweak = {}): Promise<FlowResponse> {
  const { flow, options } = await loginOptions();
  return submitFlow(server, TENANT, flow, { method: 'passkey', [FIELD]: JSON.stringify(authenticator.get(options, tweak)) });
}

async function passkeyRows(id: string) {
  return readDatabase(server, async (db) => ({
    factors: await db.selectFrom('user_factors').select(['id', 'name', 'credential_id', 'public_key', 'counter', 'data', 'confirmed', 'last_used_at'])
      .where('user_id', '=', id).where('kind', '=', 'passkey').orderBy('created_at').execute(),
    audit: await db.selectFrom('audit_events').select(['type', 'data', 'outcome']).where((eb) => eb.or([eb('subject', '=', id), eb('subject', 'is', null)]))
      .where('type', 'like', 'mfa.%').orderBy('created_at').execute(),
  }));
}

describe('passkeys: registration on the security page', () => {
  it('registers a discoverable, user-verified passkey, upgrades the session, and lists it with rename and remove', async () => {
    const token = await session('petra');
    const id = await userId(token);
    const authenticator = createSoftAuthenticator({ origin });

    const { flow, options } = await startRegistration(token);
    expect(flow.status).toBe(200);
    expect(messageCodes(flow.body)._).toEqual(['passkey.create']);
    const creation = JSON.parse(options) as Record<string, any>;
    expect(creation.rp).toEqual({ id: '127.0.0.1', name: 'Demo' });
    expect(creation.authenticatorSelection).toMatchObject({ residentKey: 'required', requireResidentKey: true, userVerification: 'required' });
    expect(creation.attestation).toBe('none');
    expect(creation.excludeCredentials).toEqual([]);
    expect(creation.user.name).toBe('petra');
    // The user handle is opaque: neither the user id nor the username.
    expect(Buffer.from(creation.user.id, 'base64url').toString('hex')).not.toContain(id.replaceAll('-', ''));
    expect(creation.user.id).toHaveLength(43); // 32 bytes

    const finished = await submitFlow(server, TENANT, flow.body,
      { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(authenticator.create(options)), name: 'Laptop' }, token);
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(messageCodes(finished.body)._).toEqual(['passkey.enrolled']);
    const upgraded = finished.body.session!.token;
    expect((await whoami(server, TENANT, upgraded)).body.amr).toEqual(['pwd', 'hwk', 'mfa']);
    expect((await whoami(server, TENANT, token)).status).toBe(401);
    const items = groupsOf(finished.body).filter((g) => g.startsWith('passkey:'));
    expect(items).toHaveLength(2); // the passkey (remove) and its rename form
    expect(items[1]).toBe(`${items[0]}:rename`);
    expect(nodeValue(finished.body, 'name', items[1])).toBe('Laptop');
    expect(nodeValue(finished.body, 'last_used', items[0])).toBe('Never');

    // A second passkey: the first is excluded, so the same authenticator is not registered twice.
    const second = await startRegistration(upgraded);
    expect((JSON.parse(second.options) as { excludeCredentials: { id: string }[] }).excludeCredentials.map((c) => c.id))
      .toEqual([authenticator.credentials[0]!.id]);

    const { factors, audit } = await passkeyRows(id);
    expect(factors).toHaveLength(1);
    expect(factors[0]).toMatchObject({ name: 'Laptop', credential_id: authenticator.credentials[0]!.id, confirmed: true });
    expect(Number(factors[0]!.counter)).toBe(1);
    expect(factors[0]!.public_key).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(factors[0]!.data).toMatchObject({ transports: ['internal'], aaguid: TEST_AAGUID, deviceType: 'singleDevice', backedUp: false, attestation: 'none' });
    expect(audit.filter((row) => row.type === 'mfa.enrolled').map((row) => row.data))
      .toEqual([expect.objectContaining({ method: 'passkey', factorId: factors[0]!.id, aaguid: TEST_AAGUID, deviceType: 'singleDevice' })]);
  });

  it('renames and removes a passkey (removal needs a fresh sign-in; renaming does not)', async () => {
    const authenticator = createSoftAuthenticator({ origin, synced: true });
    const { token } = await register(await session('vera'), authenticator);
    expect((await whoami(server, TENANT, token)).body.amr).toEqual(['pwd', 'swk', 'mfa']);
    const started = await startFlow(server, TENANT, 'security', token);
    const item = groupsOf(started.body).find((g) => /^passkey:[^:]+$/.test(g))!;
    expect(nodeValue(started.body, 'name', `${item}:rename`)).toBe('Passkey');

    const tooLong = await submitFlow(server, TENANT, started.body, { method: `${item}:rename`, action: 'rename', name: 'x'.repeat(101) }, token);
    expect(tooLong.status).toBe(400);
    expect(messageCodes(tooLong.body).name).toEqual(['field.too_long']);
    await staleSession(server, TENANT, token);
    const renamed = await submitFlow(server, TENANT, started.body, { method: `${item}:rename`, action: 'rename', name: 'Phone (synced)' }, token);
    expect(renamed.status).toBe(200);
    expect(messageCodes(renamed.body)._).toEqual(['passkey.renamed']);
    expect(nodeValue(renamed.body, 'name', `${item}:rename`)).toBe('Phone (synced)');

    const stale = await submitFlow(server, TENANT, renamed.body, { method: item, action: 'remove' }, token);
    expect(stale.status).toBe(403);
    expect(messageCodes(stale.body)._).toEqual(['mfa.reauthenticate']);

    // The passkey itself gives the fresh sign-in.
    const fresh = await passkeySignIn(authenticator);
    expect(fresh.body.state).toBe('success');
    const freshToken = fresh.body.session!.token;
    const page = await startFlow(server, TENANT, 'security', freshToken);
    expect(nodeValue(page.body, 'last_used', item)).not.toBe('Never');
    const other = await submitFlow(server, TENANT, page.body, { method: 'passkey:00000000-0000-4000-8000-000000000000', action: 'remove' }, freshToken);
    expect(other.status).toBe(404);
    expect(messageCodes(other.body)._).toEqual(['mfa.factor_not_found']);
    const removed = await submitFlow(server, TENANT, page.body, { method: item, action: 'remove' }, freshToken);
    expect(removed.status).toBe(200);
    expect(messageCodes(removed.body)._).toEqual(['passkey.removed']);
    expect(groupsOf(removed.body).filter((g) => g.startsWith('passkey:'))).toEqual([]);

    const gone = await passkeySignIn(authenticator);
    expect(gone.status).toBe(400);
    expect(messageCodes(gone.body)._).toEqual(['mfa.passkey_unknown']);
    const { factors, audit } = await passkeyRows(await userId(freshToken));
    expect(factors).toEqual([]);
    expect(audit.filter((row) => row.type === 'mfa.removed').map((row) => row.data)).toEqual([expect.objectContaining({ method: 'passkey' })]);
  });

  it('refuses registration without a fresh sign-in, and answers with the wrong origin, RP ID or challenge — nothing is stored', async () => {
    const token = await session('hugo');
    const id = await userId(token);
    const authenticator = createSoftAuthenticator({ origin });

    // Bad answers, each refused with a new challenge to try again with.
    let { flow, options } = await startRegistration(token);
    const tries: [Tweak, string][] = [
      [{ origin: 'https://evil.example' }, 'wrong_origin'],
      [{ rpId: 'evil.example' }, 'wrong_rp_id'],
      [{ challenge: Buffer.from('not the challenge').toString('base64url') }, 'wrong_challenge'],
      [{ noUserVerification: true }, 'user_not_verified'],
      [{ type: 'webauthn.get' }, 'wrong_type'],
    ];
    for (const [tweak] of tries) {
      const refused = await submitFlow(server, TENANT, flow.body, { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(authenticator.create(options, tweak)) }, token);
      expect(refused.status, JSON.stringify(tweak)).toBe(400);
      expect(messageCodes(refused.body)._).toEqual(['mfa.passkey_failed']);
      const next = nodeValue(refused.body, FIELD, 'passkey')!;
      expect(JSON.parse(next).challenge).not.toBe(JSON.parse(options).challenge);
      flow = refused;
      options = next;
    }
    const garbage = await submitFlow(server, TENANT, flow.body, { method: 'passkey', action: 'finish', [FIELD]: '{not json' }, token);
    expect(garbage.status).toBe(400);
    expect(messageCodes(garbage.body)._).toEqual(['mfa.passkey_missing']);

    // A good answer to a challenge already used (the one before the last refusal) is refused too.
    const { flow: fresh, options: freshOptions } = await startRegistration(token);
    const answer = JSON.stringify(authenticator.create(freshOptions));
    const wrongFirst = await submitFlow(server, TENANT, fresh.body, { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(authenticator.create(freshOptions, { origin: 'https://evil.example' })) }, token);
    expect(wrongFirst.status).toBe(400);
    const replayed = await submitFlow(server, TENANT, wrongFirst.body, { method: 'passkey', action: 'finish', [FIELD]: answer }, token);
    expect(replayed.status).toBe(400);
    expect(messageCodes(replayed.body)._).toEqual(['mfa.passkey_failed']);

    // Without a fresh sign-in: neither "add" nor "finish".
    const { flow: pending, options: pendingOptions } = await startRegistration(token);
    await staleSession(server, TENANT, token);
    const finish = await submitFlow(server, TENANT, pending.body, { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(authenticator.create(pendingOptions)) }, token);
    expect(finish.status).toBe(403);
    expect(messageCodes(finish.body)._).toEqual(['mfa.reauthenticate']);
    const add = await startRegistration(token);
    expect(add.flow.status).toBe(403);
    expect(messageCodes(add.flow.body)._).toEqual(['mfa.reauthenticate']);
    expect(add.options).toBe('');

    const { factors, audit } = await passkeyRows(id);
    expect(factors).toEqual([]);
    const mine = audit.filter((row) => row.type !== 'mfa.failed' || (row.data as { stage?: string }).stage === 'enrolment');
    expect(mine.filter((row) => row.type === 'mfa.failed').map((row) => (row.data as { reason: string }).reason))
      .toEqual([...tries.map(([, reason]) => reason), 'missing_response', 'wrong_origin', 'wrong_challenge']);
    expect(mine.filter((row) => row.type === 'mfa.enrolment_refused').map((row) => row.data))
      .toEqual([expect.objectContaining({ method: 'passkey', action: 'finish', reason: 'stale_sign_in' }),
        expect.objectContaining({ method: 'passkey', action: 'add', reason: 'stale_sign_in' })]);
    expect(mine.some((row) => row.type === 'mfa.enrolled')).toBe(false);
  });
});

describe('passkeys: sign-in', () => {
  it('signs in without a password (discoverable credential): amr hwk + mfa, the counter moves on, audited', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    await register(await session('sam'), authenticator);
    const { flow, options } = await loginOptions();
    const request = JSON.parse(options) as Record<string, unknown>;
    expect(request).toMatchObject({ rpId: '127.0.0.1', userVerification: 'required', allowCredentials: [] });
    expect(flow.ui.nodes.find((node) => node.name === FIELD)).toMatchObject({ type: 'webauthn' });

    const done = await submitFlow(server, TENANT, flow, { method: 'passkey', [FIELD]: JSON.stringify(authenticator.get(options)) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.state).toBe('success');
    const me = await whoami(server, TENANT, done.body.session!.token);
    expect(me.body.amr).toEqual(['hwk', 'mfa']);
    expect((me.body.user as { username: string }).username).toBe('sam');

    // The same answer again, to a new flow: another challenge, refused.
    const replay = await loginOptions();
    const again = await submitFlow(server, TENANT, replay.flow, { method: 'passkey', [FIELD]: JSON.stringify(authenticator.get(options)) });
    expect(again.status).toBe(400);
    expect(messageCodes(again.body)._).toEqual(['mfa.passkey_failed']);

    const { factors, audit } = await passkeyRows(String(me.body.user && (me.body.user as { id: string }).id));
    expect(Number(factors[0]!.counter)).toBe(2);
    expect(factors[0]!.last_used_at).not.toBeNull();
    expect(audit.filter((row) => row.type === 'mfa.used').map((row) => row.data))
      .toEqual([expect.objectContaining({ method: 'passkey', factorId: factors[0]!.id, step: 'first' })]);
    expect(audit.filter((row) => row.type === 'mfa.failed').map((row) => row.data))
      .toEqual(expect.arrayContaining([expect.objectContaining({ method: 'passkey', reason: 'wrong_challenge' })]));
    expect(JSON.stringify(audit)).not.toContain(authenticator.credentials[0]!.userHandle);
  });

  it('is asked for as the second step after a password, with the user\'s passkeys allowed; another user\'s passkey is refused', async () => {
    const mine = createSoftAuthenticator({ origin, synced: true });
    const theirs = createSoftAuthenticator({ origin });
    await register(await session('ines'), mine);
    const oscar = await userId((await register(await session('oscar'), theirs)).token);

    const started = await startFlow(server, TENANT, 'login');
    const second = await submitFlow(server, TENANT, started.body, { identifier: 'ines', password: PASSWORD });
    expect(second.body.state).toBe('second_factor');
    const options = nodeValue(second.body, FIELD, 'passkey')!;
    expect((JSON.parse(options) as { allowCredentials: { id: string }[] }).allowCredentials.map((c) => c.id)).toEqual([mine.credentials[0]!.id]);
    expect(second.body.ui.nodes.filter((node) => group(node) === 'passkey').map((node) => node.name)).toEqual([FIELD, 'remember_device']);

    const foreign = await submitFlow(server, TENANT, second.body, { method: 'passkey', [FIELD]: JSON.stringify(theirs.get({ ...JSON.parse(options), allowCredentials: [] })) });
    expect(foreign.status).toBe(400);
    expect(messageCodes(foreign.body)._).toEqual(['mfa.passkey_unknown']);
    expect(foreign.body.session).toBeUndefined();

    const done = await submitFlow(server, TENANT, second.body, { method: 'passkey', [FIELD]: JSON.stringify(mine.get(options)) });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.state).toBe('success');
    expect((await whoami(server, TENANT, done.body.session!.token)).body.amr).toEqual(['pwd', 'swk', 'mfa']);

    // The refused assertion left the other user's passkey as it was.
    const { factors: oscarFactors } = await passkeyRows(oscar);
    expect([Number(oscarFactors[0]!.counter), oscarFactors[0]!.last_used_at]).toEqual([1, null]);
    const { audit } = await passkeyRows(String(((await whoami(server, TENANT, done.body.session!.token)).body.user as { id: string }).id));
    expect(audit.filter((row) => row.type === 'mfa.failed').map((row) => row.data))
      .toContainEqual(expect.objectContaining({ method: 'passkey', reason: 'foreign_credential', failures: 1 }));
  });

  it('refuses a wrong origin, RP ID, challenge, an expired challenge, a counter regression, an unknown passkey and no user verification', async () => {
    const authenticator = createSoftAuthenticator({ origin });
    const { token } = await register(await session('nina'), authenticator);
    const id = await userId(token);
    const stranger = createSoftAuthenticator({ origin });
    stranger.create({ challenge: 'AAAA', rp: { id: '127.0.0.1', name: 'x' }, user: { id: 'AAAA', name: 'x' } });

    const cases: [string, Tweak, string, string][] = [
      ['wrong origin', { origin: 'https://evil.example' }, 'wrong_origin', 'mfa.passkey_failed'],
      ['wrong RP ID', { rpId: 'evil.example' }, 'wrong_rp_id', 'mfa.passkey_failed'],
      ['wrong challenge', { challenge: Buffer.from('another challenge').toString('base64url') }, 'wrong_challenge', 'mfa.passkey_failed'],
      ['no user verification', { noUserVerification: true }, 'user_not_verified', 'mfa.passkey_failed'],
      ['counter regression (a cloned authenticator)', { counter: 1 }, 'counter_regression', 'mfa.passkey_cloned'],
    ];
    for (const [label, tweak, , code] of cases) {
      const refused = await passkeySignIn(authenticator, tweak);
      expect(refused.status, label).toBe(400);
      expect(messageCodes(refused.body)._, label).toEqual([code]);
      expect(refused.body.session, label).toBeUndefined();
    }
    const unknown = await passkeySignIn(stranger);
    expect(messageCodes(unknown.body)._).toEqual(['mfa.passkey_unknown']);
    const empty = await submitFlow(server, TENANT, (await loginOptions()).flow, { method: 'passkey', [FIELD]: '' });
    expect(empty.status).toBe(400);
    expect(messageCodes(empty.body)._).toEqual(['mfa.passkey_missing']);

    // A challenge older than the ceremony's timeout (5 minutes).
    const { flow, options } = await loginOptions();
    await readDatabase(server, (db) => db.updateTable('flows')
      .set({ data: sql`jsonb_set(data, '{passkey,issuedAt}', to_jsonb((extract(epoch from now()) * 1000)::bigint - 301000))` as never })
      .where('id', '=', flow.id).execute());
    const expired = await submitFlow(server, TENANT, flow, { method: 'passkey', [FIELD]: JSON.stringify(authenticator.get(options)) });
    expect(expired.status).toBe(400);
    expect(messageCodes(expired.body)._).toEqual(['mfa.passkey_expired']);

    const { factors, audit } = await passkeyRows(id);
    // Only the registration's counter: every refused assertion left the passkey as it was.
    expect(Number(factors[0]!.counter)).toBe(1);
    expect(factors[0]!.last_used_at).toBeNull();
    const failed = audit.filter((row) => row.type === 'mfa.failed').map((row) => row.data as { reason: string; failures?: number });
    expect(failed.filter((row) => row.failures !== undefined).map((row) => row.reason))
      .toEqual([...cases.map(([, , reason]) => reason), 'challenge_expired']);
    // Each failure counts toward the account's brute-force limits (ASVS V2.2.1).
    expect(failed.filter((row) => row.failures !== undefined).map((row) => row.failures)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(failed.map((row) => row.reason)).toEqual(expect.arrayContaining(['unknown_credential', 'missing_response']));
    expect(audit.some((row) => row.type === 'mfa.used')).toBe(false);

    // The right answer still works, and a success clears the count.
    const done = await passkeySignIn(authenticator);
    expect(done.body.state).toBe('success');
  });
});

describe('passkeys: an allow-list of authenticator models (AAGUIDs)', () => {
  const ALLOWED = '0bb43545-fd2c-4185-87dd-feb0b2916ace';
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ config: protocolConfig({
      accounts: { mfa: { passkeys: { attestation: 'direct', allowedAaguids: [ALLOWED] } } },
      extraUsers: [{ username: 'alma', email: 'alma@example.com', emailVerified: true, password: PASSWORD }],
    }) });
  });
  afterAll(() => strict?.dispose());

  it('registers a passkey from an allowed model only', async () => {
    const signedIn = await signInApi(strict, TENANT, 'alma', PASSWORD);
    const token = signedIn.body.session!.token;
    const started = await startFlow(strict, TENANT, 'security', token);
    const added = await submitFlow(strict, TENANT, started.body, { method: 'passkey', action: 'add' }, token);
    const options = nodeValue(added.body, FIELD, 'passkey')!;
    // The AAGUID is only vouched for by an attestation statement: the allow-list asks for one.
    expect(JSON.parse(options).attestation).toBe('direct');

    const origin = new URL(strict.url).origin;
    const other = createSoftAuthenticator({ origin });
    const refused = await submitFlow(strict, TENANT, added.body, { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(other.create(options)) }, token);
    expect(refused.status).toBe(403);
    expect(messageCodes(refused.body)._).toEqual(['passkey.not_allowed']);
    expect(refused.body.session).toBeUndefined();

    const allowed = createSoftAuthenticator({ origin, aaguid: ALLOWED });
    const next = nodeValue(refused.body, FIELD, 'passkey')!;
    const finished = await submitFlow(strict, TENANT, refused.body, { method: 'passkey', action: 'finish', [FIELD]: JSON.stringify(allowed.create(next)) }, token);
    expect(finished.status, JSON.stringify(finished.body)).toBe(200);
    expect(messageCodes(finished.body)._).toEqual(['passkey.enrolled']);

    const id = String(((await whoami(strict, TENANT, finished.body.session!.token)).body.user as { id: string }).id);
    const { factors, failed } = await readDatabase(strict, async (db) => ({
      factors: await db.selectFrom('user_factors').select(['data']).where('user_id', '=', id).execute(),
      failed: await db.selectFrom('audit_events').select(['data']).where('subject', '=', id).where('type', '=', 'mfa.failed').execute(),
    }));
    expect(factors.map((row) => (row.data as { aaguid: string }).aaguid)).toEqual([ALLOWED]);
    expect(failed.map((row) => row.data)).toEqual([expect.objectContaining({ method: 'passkey', reason: 'aaguid_not_allowed', stage: 'enrolment' })]);
  });
});
