/**
 * The sign-in benchmark's workloads, each run for a slice of time at a concurrency:
 * - `verify`: N verify loops inside the verifier process (the baseline);
 * - `sign-in`: N loops of a full JSON-API sign-in, create a login flow then submit it;
 * - `submit`: N loops submitting login flows created before the slice (outside its CPU count).
 * Every response is checked; anything but the expected status fails the run.
 */
import { z } from 'zod';
import { SIGN_IN_TENANT, SIGN_IN_USER } from './sign-in-settings.js';

export const WORKLOADS = ['verify', 'sign-in', 'submit'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface WorkloadResult {
  completed: number;
  seconds: number;
  latenciesMs: number[];
  /** `submit` only: flows the loops had to create during the slice because the pool ran dry. */
  poolMisses: number;
}

const REQUEST_TIMEOUT_MS = 30_000;
const FlowSchema = z.object({ id: z.string(), state: z.string() });
const SignedInSchema = FlowSchema.extend({ state: z.literal('success'), session: z.object({ token: z.string().min(20), user_id: z.string() }) });
const VerifyResultSchema = z.object({ completed: z.number(), failed: z.number(), seconds: z.number(), latenciesMs: z.array(z.number()) });

async function postJson(url: string, body: unknown, expectedStatus: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  if (response.status !== expectedStatus) {
    // Error bodies are problem documents or failed flows: no session token to leak.
    throw new Error(`POST ${new URL(url).pathname}: expected ${expectedStatus}, got ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

const loginFlowsUrl = (baseUrl: string) => `${baseUrl}/${SIGN_IN_TENANT}/api/flows/login`;

/** POST /{tenant}/api/flows/login: a new login flow's id. */
export async function createLoginFlow(baseUrl: string): Promise<string> {
  return FlowSchema.parse(await postJson(loginFlowsUrl(baseUrl), {}, 201)).id;
}

/** POST /{tenant}/api/flows/login/{id} with the right password: must end in a session. */
export async function submitLoginFlow(baseUrl: string, flowId: string): Promise<void> {
  const body = { identifier: SIGN_IN_USER.username, password: SIGN_IN_USER.password };
  SignedInSchema.parse(await postJson(`${loginFlowsUrl(baseUrl)}/${flowId}`, body, 200));
}

/** Creates `count` login flows, `concurrency` at a time. */
export async function createFlowPool(baseUrl: string, count: number, concurrency: number): Promise<string[]> {
  const pool: string[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      pool.push(await createLoginFlow(baseUrl));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return pool;
}

async function runLoops(seconds: number, concurrency: number, once: (result: WorkloadResult) => Promise<void>): Promise<WorkloadResult> {
  const result: WorkloadResult = { completed: 0, seconds: 0, latenciesMs: [], poolMisses: 0 };
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1_000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const opStartedAt = performance.now();
      await once(result);
      result.latenciesMs.push(performance.now() - opStartedAt);
      result.completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  result.seconds = (performance.now() - startedAt) / 1_000;
  return result;
}

/** A full sign-in per iteration: create the flow, then submit the password. */
export function runSignIns(baseUrl: string, seconds: number, concurrency: number): Promise<WorkloadResult> {
  return runLoops(seconds, concurrency, async () => submitLoginFlow(baseUrl, await createLoginFlow(baseUrl)));
}

/** Submits from `pool` (flows created before the slice); a dry pool is counted, then filled inline. */
export function runSubmits(baseUrl: string, seconds: number, concurrency: number, pool: string[]): Promise<WorkloadResult> {
  return runLoops(seconds, concurrency, async (result) => {
    let flowId = pool.pop();
    if (flowId === undefined) {
      result.poolMisses++;
      flowId = await createLoginFlow(baseUrl);
    }
    await submitLoginFlow(baseUrl, flowId);
  });
}

/** The verifier runs the loops itself; this is one control request per slice. */
export async function runVerifies(verifierUrl: string, seconds: number, concurrency: number): Promise<WorkloadResult> {
  const response = await fetch(`${verifierUrl}/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds, concurrency }),
    signal: AbortSignal.timeout(seconds * 1_000 + REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`argon2 verifier: status ${response.status}`);
  const result = VerifyResultSchema.parse(await response.json());
  if (result.failed > 0) throw new Error(`argon2 verifier: ${result.failed} verifications returned false`);
  return { completed: result.completed, seconds: result.seconds, latenciesMs: result.latenciesMs, poolMisses: 0 };
}
