import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { BOB, protocolConfig, TENANT } from '../support/fixtures.js';
import { startFlow, submitFlow, type FlowJson } from '../support/flows.js';

/**
 * No user enumeration (OWASP ASVS V2.2.x / Authentication Cheat Sheet): sign-in and password
 * reset answer with the same status, the same body and the same time whether or not the
 * account exists. 50 tries of each, interleaved so that load drifts hit both sides alike.
 * Timing is compared by medians with a tolerance for a shared, noisy machine.
 */
const TRIES = 50;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    // Limits high enough that 50 failures neither delay nor block: this test measures the answer itself.
    config: protocolConfig({ accounts: { limits: {
      signIn: { delayAfter: 100, blockAfter: 1000 }, signInPerIp: { points: 100_000 },
      recoveryPerIp: { points: 100_000 }, recoveryPerEmail: { points: 100_000 },
    } } }),
  });
});
afterAll(async () => { await server?.dispose(); });

interface Sample { status: number; body: string; ms: number }

async function timedSubmit(type: string, fields: Record<string, string>, replace: string): Promise<Sample> {
  const flow = await startFlow(server, TENANT, type);
  const started = performance.now();
  const result = await submitFlow(server, TENANT, flow.body, fields);
  const ms = performance.now() - started;
  return { status: result.status, ms, body: normalize(result.body, flow.body.id, replace) };
}

/** The body without what legitimately differs: the flow id, the identifier the user typed, and each flow's random passkey challenge. */
function normalize(body: FlowJson, flowId: string, typed: string): string {
  const { expires_at: _expires, ...rest } = body as FlowJson & { expires_at?: string };
  return JSON.stringify(rest).replaceAll(flowId, 'FLOW').replaceAll(typed, 'TYPED').replace(/\\"challenge\\":\\"[A-Za-z0-9_-]+\\"/g, 'CHALLENGE');
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function compare(type: string, known: (i: number) => [Record<string, string>, string], unknown: (i: number) => [Record<string, string>, string]) {
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < TRIES; i++) {
    a.push(await timedSubmit(type, ...known(i)));
    b.push(await timedSubmit(type, ...unknown(i)));
  }
  expect(new Set(a.map((s) => s.status))).toEqual(new Set(b.map((s) => s.status)));
  expect(new Set(a.map((s) => s.body))).toEqual(new Set(b.map((s) => s.body)));
  const [ma, mb] = [median(a.map((s) => s.ms)), median(b.map((s) => s.ms))];
  console.info(`[enumeration] ${type}: median ${ma.toFixed(1)} ms (existing) vs ${mb.toFixed(1)} ms (unknown)`);
  expect(Math.abs(ma - mb)).toBeLessThanOrEqual(Math.max(15, 0.3 * Math.max(ma, mb)));
  return { a, b };
}

describe('no user enumeration', () => {
  it('sign-in answers an unknown account exactly like a wrong password', async () => {
    const { a } = await compare('login',
      () => [{ identifier: BOB.username, password: 'wrong-password-123' }, BOB.username],
      (i) => [{ identifier: `ghost${i}`, password: 'wrong-password-123' }, `ghost${i}`]);
    expect(a[0]?.status).toBe(400);
    expect(a[0]?.body).toContain('signin.invalid_credentials');
  });

  it('password reset answers an unknown address exactly like a known one', async () => {
    const { a } = await compare('recovery',
      () => [{ email: BOB.email }, BOB.email],
      (i) => [{ email: `ghost${i}@example.com` }, `ghost${i}@example.com`]);
    expect(a[0]?.status).toBe(200);
    expect(a[0]?.body).toContain('recovery.sent');
  });
});
