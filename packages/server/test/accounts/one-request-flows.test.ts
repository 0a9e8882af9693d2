import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { ALICE, protocolConfig, TENANT } from '../support/fixtures.js';
import { messageCodes, startFlow, startFlowWith, submitFlow, whoami, type FlowJson } from '../support/flows.js';

/** `POST /{tenant}/api/flows/{type}` with a raw body, well-formed or not. */
async function postStart(server: TestServer, type: string, body: string): Promise<{ status: number; headers: Headers; body: FlowJson & { code?: string } }> {
  const res = await fetch(`${server.url}/${TENANT}/api/flows/${type}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, headers: res.headers, body: await res.json() as FlowJson & { code?: string } };
}

describe('starting a flow with its fields: one request', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer({ config: protocolConfig() }); });
  afterAll(async () => { await server?.dispose(); });

  it('signs in with one request, and the finished flow cannot be submitted again', async () => {
    const signedIn = await startFlowWith(server, TENANT, 'login', { identifier: ALICE.username, password: ALICE.password });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('cache-control')).toBe('no-store');
    expect(signedIn.body).toMatchObject({ type: 'login', state: 'success' });
    expect(signedIn.body.ui.action).toBe(`${server.issuer(TENANT)}/api/flows/login/${signedIn.body.id}`);
    const me = await whoami(server, TENANT, signedIn.body.session?.token ?? '');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ username: ALICE.username });

    const again = await submitFlow(server, TENANT, signedIn.body, { identifier: ALICE.username, password: ALICE.password });
    expect(again.status).toBe(409);
  });

  it('answers a wrong password like a submit, and the started flow takes the next try', async () => {
    const wrong = await startFlowWith(server, TENANT, 'login', { identifier: ALICE.username, password: 'not the password' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.session).toBeUndefined();
    expect(messageCodes(wrong.body)._).toEqual(['signin.invalid_credentials']);

    const retried = await submitFlow(server, TENANT, wrong.body, { identifier: ALICE.username, password: ALICE.password });
    expect(retried.status).toBe(200);
    expect(retried.body.state).toBe('success');
  });

  it('still starts an empty flow without fields (an empty object or no body)', async () => {
    expect((await postStart(server, 'login', '{}')).status).toBe(201);
    const started = await startFlow(server, TENANT, 'login');
    expect(started.status).toBe(201);
    expect(started.body.state).not.toBe('success');
  });
});

describe('a one-request start with a bad body', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer({ config: protocolConfig() }); });
  afterAll(async () => { await server?.dispose(); });

  it('is refused with a problem document and starts no flow', async () => {
    const bodies = [
      JSON.stringify({ identifier: ALICE.username, password: 5 }),
      JSON.stringify([ALICE.username, ALICE.password]),
      JSON.stringify('alice'),
      JSON.stringify({ identifier: 'x'.repeat(9000), password: ALICE.password }),
      JSON.stringify(Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, 'v']))),
      '{"identifier": "alice", "password": ',
    ];
    for (const body of bodies) {
      const refused = await postStart(server, 'login', body);
      expect(refused.status, body.slice(0, 60)).toBe(400);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body.code).toMatch(/^request\./);
    }
    const unknownType = await postStart(server, 'teleport', JSON.stringify({ identifier: ALICE.username }));
    expect(unknownType.status).toBe(404);

    await server.stop();
    const flows = await server.db().selectFrom('flows').select('id').execute();
    expect(flows).toEqual([]);
    const audit = await server.db().selectFrom('audit_events').select('type').where('type', 'like', 'signin.%').execute();
    expect(audit).toEqual([]);
  });
});
