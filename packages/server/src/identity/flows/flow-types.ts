import type { StoredFlow } from '../../db/repositories/flows.js';
import type { RequestContext } from '../account-deps.js';
import type { FlowUi, Message } from './flow-ui.js';

export const FLOW_TYPES = ['registration', 'login', 'verification', 'recovery', 'settings', 'security'] as const;
export type FlowType = (typeof FLOW_TYPES)[number];

export interface Flow extends Omit<StoredFlow, 'ui' | 'type'> {
  type: FlowType;
  ui: FlowUi;
}

/** Submitted fields: strings only (form fields or a flat JSON object), validated per flow. */
export type FlowInput = Record<string, string>;

/** What a submission produced: the flow's next state and form, and what the caller must do. */
export interface FlowStep {
  state: string;
  ui: FlowUi;
  data?: Record<string, unknown>;
  userId?: string | null;
  /** 200 when the flow moved on, 400 for invalid input, 403 refused, 429 throttled. */
  status: number;
  retryAfterSeconds?: number;
  /** A new account session (login, registration without verification, verified registration). */
  session?: { token: string; expiresAt: Date; userId: string; amr: string[] };
  /** The account session was ended (account deleted). */
  signedOut?: boolean;
  /** The flow's row went with the account (deleted): there is nothing left to store. */
  accountDeleted?: boolean;
  /** Set the "remember this device" cookie to this value (a second factor was used and the box ticked). */
  rememberDevice?: { value: string; expiresAt: Date };
  /** Signed in, but a second factor must be enrolled before an application that requires MFA may be entered. */
  enrolmentRequired?: boolean;
}

export interface FlowStart {
  state: string;
  ui: FlowUi;
  data?: Record<string, unknown>;
  userId?: string | null;
}

/** One self-service flow (after Ory Kratos): how it starts and how it answers a submission. */
export interface FlowDefinition {
  type: FlowType;
  lifetimeSeconds(ctx: RequestContext): number;
  /** Settings need a signed-in user; the others refuse one only where it makes no sense. */
  requiresSession: boolean;
  /** `init`: what the starter knows (the login flow: the application, its `acr_values`, a login hint). */
  start(ctx: RequestContext, init?: Record<string, unknown>): Promise<FlowStart>;
  submit(ctx: RequestContext, flow: Flow, input: FlowInput): Promise<FlowStep>;
}

/** A refusal before a flow exists (registration switched off, no session). */
export class FlowError extends Error {
  constructor(readonly status: number, readonly problem: Message) {
    super(problem.text);
  }
}
