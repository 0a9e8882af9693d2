import { signInWithPassword, type SignInResult } from '../password-sign-in.js';
import { startSession } from '../sessions.js';
import type { RequestContext } from '../account-deps.js';
import { hasErrors, identifierField, readFields } from './flow-fields.js';
import { formatWait, textFor, type FlowText } from './flow-text.js';
import { field, withFeedback, type Message } from './flow-ui.js';
import type { FlowDefinition, FlowStep } from './flow-types.js';

/**
 * What the user is told for each sign-in refusal, in the request's language. Unknown account and
 * wrong password read the same.
 */
export function signInRefusal(result: Exclude<SignInResult, { ok: true }>, text: FlowText): { status: number; message: Message; retryAfterSeconds?: number } {
  switch (result.reason) {
    case 'invalid_credentials':
      return { status: 400, message: text.error('signin.invalid_credentials') };
    case 'throttled':
      return { status: 429, retryAfterSeconds: result.retryAfterSeconds, message: result.gate === 'blocked'
        ? text.error('signin.blocked') : text.error('signin.throttled', { wait: formatWait(result.retryAfterSeconds, text.locale) }) };
    case 'disabled':
      return { status: 403, message: text.error('account.disabled') };
    case 'unverified':
      return { status: 403, message: text.error('account.unverified') };
  }
}

function loginUi(ctx: RequestContext) {
  const text = textFor(ctx);
  return {
    nodes: [identifierField(ctx.settings, text), field('password', 'password', text.t('label.password'), { autocomplete: 'current-password' })],
    messages: [],
    submitLabel: text.t('button.sign_in'),
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
    const text = textFor(ctx);
    const { values, errors } = readFields(input, { identifier: { kind: 'identifier', required: true }, password: { kind: 'password', required: true } }, text);
    const ui = flow.ui;
    if (hasErrors(errors)) return { state: flow.state, status: 400, ui: withFeedback(ui, { values, fieldErrors: errors }) };
    const result = await signInWithPassword(ctx, values.identifier, values.password);
    if (!result.ok) {
      const refusal = signInRefusal(result, text);
      return {
        state: flow.state, status: refusal.status, ...(refusal.retryAfterSeconds ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}),
        ui: withFeedback(ui, { values: { identifier: values.identifier }, messages: [refusal.message] }),
      };
    }
    const session = await startSession(ctx, result.user, ['pwd'], { signIn: { method: 'password' } });
    return {
      state: 'success', status: 200, userId: result.user.id, session,
      ui: { nodes: [], messages: [text.success('signin.succeeded')], submitLabel: '' },
    };
  },
};
