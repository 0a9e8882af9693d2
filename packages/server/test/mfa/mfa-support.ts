import { sql } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { readDatabase } from '../support/fixtures.js';
import { startFlow, submitFlow, whoami, type FlowJson, type FlowResponse } from '../support/flows.js';
import type { TestServer } from '../support/test-server.js';

/**
 * Helpers for MFA integration tests, through the flows JSON API.
 *
 * TOTP codes: each time step is accepted once per authenticator (RFC 6238 §5.2), so tests that
 * sign in more than once take their codes from `freshTotpCode`, which never hands out a step twice.
 */

const PERIOD_MS = 30_000;

/** The RFC 6238 code of `secret` (base32) at `at` (ms; default now). */
export function totpCode(secret: string, at: number = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });
}

const lastStep = new Map<string, number>();

/**
 * A code of a time step not handed out before for this secret: the current step, else the next
 * one (the server accepts ±1 step). When both are spent it waits for the clock to reach a new
 * step, as a person would wait for the app's next code.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / PERIOD_MS);
    const step = Math.max(now, (lastStep.get(secret) ?? -Infinity) + 1);
    if (step <= now + 1) {
      lastStep.set(secret, step);
      return totpCode(secret, step * PERIOD_MS);
    }
    await new Promise((resolve) => setTimeout(resolve, (now + 1) * PERIOD_MS - Date.now() + 50));
  }
}

/** The value of the node `name` in a flow (in `group` when given). */
export function nodeValue(flow: FlowJson, name: string, group?: string): string | undefined {
  return flow.ui.nodes.find((node) => node.name === name && (!group || (node as { group?: string }).group === group))?.value;
}

/** The groups of a flow's nodes, in order (`totp`, `totp:{id}`, `recovery_code`…). */
export function groupsOf(flow: FlowJson): string[] {
  return [...new Set(flow.ui.nodes.map((node) => (node as { group?: string }).group).filter((g): g is string => Boolean(g)))];
}

/** Starts the security flow with `token` and submits `fields` to it. */
export async function securityAction(server: TestServer, tenant: string, token: string, fields: Record<string, string>): Promise<FlowResponse> {
  const flow = await startFlow(server, tenant, 'security', token);
  if (flow.status !== 201) throw new Error(`starting security flow: ${flow.status} ${JSON.stringify(flow.body)}`);
  return submitFlow(server, tenant, flow.body, fields, token);
}

export interface EnrolledTotp {
  /** The base32 secret read from the flow's `secret` node. */
  secret: string;
  /** The session issued when the enrolment was confirmed (its amr gained `otp`); the old one is ended. */
  token: string;
  /** The flow's answer to the confirmation. */
  confirmed: FlowResponse;
}

/** Adds and confirms an authenticator app on the security page with a fresh session `token`. */
export async function enrolTotp(server: TestServer, tenant: string, token: string, name?: string): Promise<EnrolledTotp> {
  const flow = await startFlow(server, tenant, 'security', token);
  const added = await submitFlow(server, tenant, flow.body, { method: 'totp', action: 'add' }, token);
  const secret = nodeValue(added.body, 'secret');
  if (added.status !== 200 || !secret) throw new Error(`adding TOTP: ${added.status} ${JSON.stringify(added.body)}`);
  const confirmed = await submitFlow(server, tenant, added.body,
    { method: 'totp', action: 'confirm', code: await freshTotpCode(secret), ...(name ? { name } : {}) }, token);
  if (confirmed.status !== 200 || !confirmed.body.session) throw new Error(`confirming TOTP: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  return { secret, token: confirmed.body.session.token, confirmed };
}

/**
 * Makes the session of `token` look signed in `seconds` ago (default a day), so changes that need
 * a fresh sign-in are refused. On the embedded database this restarts the server.
 */
export async function staleSession(server: TestServer, tenant: string, token: string, seconds = 86_400): Promise<void> {
  const { body } = await whoami(server, tenant, token);
  const id = String(body.id);
  await readDatabase(server, (db) => db.updateTable('account_sessions')
    .set({ authenticated_at: sql<Date>`now() - make_interval(secs => ${seconds})` }).where('id', '=', id).execute());
}
