import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { protocolConfig, readDatabase, TENANT } from '../support/fixtures.js';
import { messageCodes, signInApi, startFlow, submitFlow, whoami, type FlowJson } from '../support/flows.js';
import { enrolTotp, groupsOf, nodeValue, securityAction, staleSession } from './mfa-support.js';

const PASSWORD = 'copper-meadow-signal-77';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({
    extraUsers: ['erin', 'frank'].map((username) => ({ username, email: `${username}@example.com`, emailVerified: true, password: PASSWORD })),
  }) });
});
afterAll(() => server?.dispose());

async function session(username: string): Promise<string> {
  return (await signInApi(server, TENANT, username, PASSWORD)).body.session!.token;
}

/** Password, then a recovery code as the second step. */
async function signInWithCode(username: string, code: string) {
  const started = await startFlow(server, TENANT, 'login');
  const first = await submitFlow(server, TENANT, started.body, { identifier: username, password: PASSWORD });
  expect(first.body.state).toBe('second_factor');
  expect(groupsOf(first.body)).toContain('recovery_code');
  return submitFlow(server, TENANT, first.body, { method: 'recovery_code', code });
}

const codesOf = (flow: FlowJson): string[] => (nodeValue(flow, 'recovery_codes') ?? '').split('\n');

describe('recovery codes', () => {
  let codes: string[] = [];
  let token = '';
  let userId = '';

  it('are offered after the first authenticator and shown once, ten of them', async () => {
    const enrolled = await enrolTotp(server, TENANT, await session('erin'));
    expect(messageCodes(enrolled.confirmed.body)._).toContain('recovery_codes.offer');
    userId = String(((await whoami(server, TENANT, enrolled.token)).body.user as { id: string }).id);
    const generated = await securityAction(server, TENANT, enrolled.token, { method: 'recovery_code', action: 'generate' });
    expect(generated.status).toBe(200);
    expect(messageCodes(generated.body)._).toEqual(['recovery_codes.generated']);
    codes = codesOf(generated.body);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(new Set(codes).size).toBe(10);
    token = enrolled.token;

    // The page never shows them again: only how many are left.
    const page = await startFlow(server, TENANT, 'security', token);
    expect(nodeValue(page.body, 'recovery_codes')).toBeUndefined();
    expect(nodeValue(page.body, 'remaining')).toBe('10');
  });

  it('sign in once each, typed with or without dashes, in any case', async () => {
    const loose = codes[0]!.toUpperCase().replace(/-/g, ' ');
    const used = await signInWithCode('erin', loose);
    expect(used.status).toBe(200);
    expect(used.body.state).toBe('success');
    expect((await whoami(server, TENANT, used.body.session!.token)).body.amr).toEqual(['pwd', 'otp', 'mfa']);

    const again = await signInWithCode('erin', codes[0]!);
    expect(again.status).toBe(400);
    expect(again.body.session).toBeUndefined();
    expect(messageCodes(again.body)._).toEqual(['recovery_codes.invalid']);
    expect(messageCodes((await signInWithCode('erin', 'not-a-code')).body)._).toEqual(['recovery_codes.invalid']);

    expect((await signInWithCode('erin', codes[1]!.replace(/-/g, ''))).body.state).toBe('success');
  });

  it('regenerating replaces every old code', async () => {
    const regenerated = await securityAction(server, TENANT, token, { method: 'recovery_code', action: 'generate' });
    expect(regenerated.status).toBe(200);
    const fresh = codesOf(regenerated.body);
    expect(fresh.some((code) => codes.includes(code))).toBe(false);
    const old = await signInWithCode('erin', codes[2]!);
    expect(messageCodes(old.body)._).toEqual(['recovery_codes.invalid']);
    expect((await signInWithCode('erin', fresh[0]!)).body.state).toBe('success');
    codes = fresh;
  });

  it('warn when few are left', async () => {
    for (const code of codes.slice(1, 8)) expect((await signInWithCode('erin', code)).body.state).toBe('success');
    const page = await startFlow(server, TENANT, 'security', token);
    expect(nodeValue(page.body, 'remaining')).toBe('2');
    expect(messageCodes(page.body).remaining).toEqual(['recovery_codes.low']);
  });

  it('need a fresh sign-in to generate, and are stored only as hashes with every use audited', async () => {
    const frank = await session('frank');
    await staleSession(server, TENANT, frank);
    const refused = await securityAction(server, TENANT, frank, { method: 'recovery_code', action: 'generate' });
    expect(refused.status).toBe(403);
    expect(nodeValue(refused.body, 'recovery_codes')).toBeUndefined();

    const { rows, audit, frankRows } = await readDatabase(server, async (db) => ({
      rows: await db.selectFrom('recovery_codes').selectAll().where('user_id', '=', userId).execute(),
      frankRows: await db.selectFrom('recovery_codes as r').innerJoin('users as u', 'u.id', 'r.user_id').select('r.id').where('u.username', '=', 'frank').execute(),
      audit: await db.selectFrom('audit_events').select(['type', 'data']).where('subject', '=', userId)
        .where('type', 'in', ['mfa.recovery_codes_generated', 'mfa.recovery_code_used', 'mfa.failed']).orderBy('created_at').execute(),
    }));
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => row.used_at === null)).toHaveLength(2);
    const stored = JSON.stringify(rows) + JSON.stringify(audit);
    for (const code of codes) expect(stored).not.toContain(code.replace(/-/g, '').toUpperCase());
    expect(frankRows).toEqual([]);
    expect(audit.filter((row) => row.type === 'mfa.recovery_codes_generated').map((row) => row.data.count)).toEqual([10, 10]);
    expect(audit.filter((row) => row.type === 'mfa.recovery_code_used').map((row) => row.data.remaining)).toEqual([9, 8, 9, 8, 7, 6, 5, 4, 3, 2]);
    expect(audit.filter((row) => row.type === 'mfa.failed').map((row) => row.data)).toEqual([
      expect.objectContaining({ method: 'recovery_code', reason: 'invalid_or_used_code' }),
      expect.objectContaining({ method: 'recovery_code', reason: 'malformed_code' }),
      expect.objectContaining({ method: 'recovery_code', reason: 'invalid_or_used_code' }),
    ]);
  });
});
