import { signInWithPassword, type SignInResult } from '../password-sign-in.js';
import { startSession } from '../sessions.js';
import type { RequestContext } from '../account-deps.js';
import { hasErrors, identifierField, readFields } from './flow-fields.js';
import { error, field, success, withFeedback, type Message } from './flow-ui.js';
import type { FlowDefinition, FlowStep } from './flow-types.js';

export const GENERIC_SIGN_IN_FAILURE = error('signin.invalid_credentials', 'Incorrect username, email or password.');

/** What the user is told for each sign-in refusal. Unknown account and wrong password read the same. */
export function signInRefusal(result: Exclude<SignInResult, { ok: true }>): { status: number; message: Message; retryAfterSeconds?: number } {
  switch (result.reason) {
    case 'invalid_credentials':
      return { status: 400, message: GENERIC_SIGN_IN_FAILURE };
    case 'throttled':
      if (result.gate === 'blocked') {
        return { status: 429, retryAfterSeconds: result.retryAfterSeconds, message: error('signin.blocked',
          'Too many failed sign-ins: signing in to this account from your network is blocked for now. If the account exists, ' +
          'its owner was sent an email with a link to unblock it; resetting the password unblocks it too.') };
      }
      return { status: 429, retryAfterSeconds: result.retryAfterSeconds, message: error('signin.throttled',
        `Too many attempts. Wait ${formatWait(result.retryAfterSeconds)} and try again.`) };
    case 'disabled':
      return { status: 403, message: error('account.disabled', 'This account has been disabled. Contact your administrator.') };
    case 'unverified':
      return { status: 403, message: error('account.unverified',
        'Verify your email address before signing in: open the link we emailed you, or ask for a new one.') };
  }
}

export function formatWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}

function loginUi(ctx: RequestContext) {
  return {
    nodes: [identifierField(ctx.settings), field('password', 'password', 'Password', { autocomplete: 'current-password' })],
    messages: [],
    submitLabel: 'Sign in',
  };
}

/** Username-or-email and password; success starts an account session. */
export const loginFlow: FlowDefinition = {
  type: 'login',
  requiresSession: false,
  lifetimeSeconds: () => 3600,
  async start(ctx) {
    return { state: 'choose_method', ui: loginUi(ctx) };
  },
  async submit(ctx, flow, input): Promise<FlowStep> {
    const { values, errors } = readFields(input, { identifier: { kind: 'identifier', required: true }, password: { kind: 'password', required: true } });
    const ui = flow.ui;
    if (hasErrors(errors)) return { state: flow.state, status: 400, ui: withFeedback(ui, { values, fieldErrors: errors }) };
    const result = await signInWithPassword(ctx, values.identifier, values.password);
    if (!result.ok) {
      const refusal = signInRefusal(result);
      return {
        state: flow.state, status: refusal.status, ...(refusal.retryAfterSeconds ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}),
        ui: withFeedback(ui, { values: { identifier: values.identifier }, messages: [refusal.message] }),
      };
    }
    const session = await startSession(ctx, result.user, ['pwd']);
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'signin.succeeded', actor: result.user.id, subject: result.user.id,
      correlationId: ctx.correlationId, data: { method: 'password', ip: ctx.ip } });
    return {
      state: 'success', status: 200, userId: result.user.id, session,
      ui: { nodes: [], messages: [success('signin.succeeded', 'You are signed in.')], submitLabel: '' },
    };
  },
};
