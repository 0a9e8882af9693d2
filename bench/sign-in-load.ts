/**
 * The sign-in benchmark's workloads, each run for a slice of time at a concurrency:
 * - `verify`: N verify loops inside the verifier process (the baseline);
 * - `sign-in`: N loops of a JSON-API sign-in in one request (the login flow started with the
 *   credentials);
 * - `two-step`: N loops of the two-request form, start a login flow then submit it;
 * - `path`: `sign-in` against a second Tessera whose argon2 cost is the smallest there is, so
 *   its CPU per sign-in is the path's own, without the hash and without argon2 sharing the core.
 * Every response is checked; anything but the expected status fails the run.
 */
import { z } from 'zod';
import { SIGN_IN_TENANT, SIGN_IN_USER } from './sign-in-settings.js';

export const WORKLOADS = ['verify', 'sign-in', 'two-step', 'path'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface WorkloadResult {
  completed: number;
  seconds: number;
  latenciesMs: number[];
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
const CREDENTIALS = { identifier: SIGN_IN_USER.username, password: SIGN_IN_USER.password };

/** POST /{tenant}/api/flows/login with the credentials: one request that must end in a session. */
export async function signInOnce(baseUrl: string): Promise<void> {
  SignedInSchema.parse(await postJson(loginFlowsUrl(baseUrl), CREDENTIALS, 200));
}

/** POST /{tenant}/api/flows/login (201, a new login flow), then POST …/{id} with the credentials. */
export async function signInTwoStep(baseUrl: string): Promise<void> {
  const { id } = FlowSchema.parse(await postJson(loginFlowsUrl(baseUrl), {}, 201));
  SignedInSchema.parse(await postJson(`${loginFlowsUrl(baseUrl)}/${id}`, CREDENTIALS, 200));
}

async function runLoops(seconds: number, concurrency: number, once: () => Promise<void>): Promise<WorkloadResult> {
  const result: WorkloadResult = { completed: 0, seconds: 0, latenciesMs: [] };
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1_000;
  const loop = async () => {
    while (performance.now() < deadline) {
      const opStartedAt = performance.now();
      await once();
      result.latenciesMs.push(performance.now() - opStartedAt);
      result.completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  result.seconds = (performance.now() - startedAt) / 1_000;
  return result;
}

/** `signIn` ({@link signInOnce} or {@link signInTwoStep}) in N loops for `seconds`. */
export function runSignIns(baseUrl: string, seconds: number, concurrency: number, signIn: (baseUrl: string) => Promise<void>): Promise<WorkloadResult> {
  return runLoops(seconds, concurrency, () => signIn(baseUrl));
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
  return { completed: result.completed, seconds: result.seconds, latenciesMs: result.latenciesMs };
}
