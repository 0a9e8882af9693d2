import { createUserRepository, type User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { flowCodeSecret, sendRecoveryLink } from '../account-links.js';
import { createAccountTokenRepository } from '../../db/repositories/account-tokens.js';
import { consumeFlowCode } from '../email-verification.js';
import { afterPasswordChange, checkNewPassword, replacePassword } from '../password-reset.js';
import { codeField, emailField, hasErrors, newPasswordField, readFields } from './flow-fields.js';
import { consumeQuotas, readEmailField } from './email-request-steps.js';
import { passwordRefusal, textFor, type FlowText } from './flow-text.js';
import { field, withFeedback, type FlowUi } from './flow-ui.js';
import type { Flow, FlowDefinition, FlowInput, FlowStep } from './flow-types.js';

const codeUi = (text: FlowText, email: string): FlowUi => ({
  nodes: [field('email', 'hidden', text.t('label.email'), { value: email, required: false }), codeField(text),
    newPasswordField(text, 'password', 'label.new_password')],
  messages: [text.info('recovery.sent', { email })],
  submitLabel: text.t('button.reset_password'),
});

/**
 * "Forgot password". The answer, and the work done before answering, are the same whether or not
 * the address has an account (OWASP Forgot Password Cheat Sheet); the mail goes out afterwards.
 */
export const recoveryFlow: FlowDefinition = {
  type: 'recovery',
  requiresSession: false,
  lifetimeSeconds: (ctx) => ctx.settings.recoveryLinkLifetime,
  async start(ctx) {
    const text = textFor(ctx);
    return { state: 'choose_method', ui: { nodes: [emailField(text)], messages: [], submitLabel: text.t('button.send_reset_link') } };
  },
  async submit(ctx, flow, input) {
    return flow.state === 'sent_email' ? resetWithCode(ctx, flow, input) : requestReset(ctx, flow, input);
  },
};

async function requestReset(ctx: RequestContext, flow: Flow, input: FlowInput): Promise<FlowStep> {
  const text = textFor(ctx);
  const read = readEmailField(ctx, flow, input);
  if (!read.ok) return read.step;
  const { email, values } = read;
  const throttled = await consumeQuotas(ctx, flow, [['recoveryPerIp', ctx.ip], ['recoveryPerEmail', email.toLowerCase()]],
    { code: 'recovery.throttled', values });
  if (throttled) return throttled;
  const user = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, email, ['email']);
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'user.password_reset_requested', subject: user?.id ?? null,
    correlationId: ctx.correlationId, data: { ip: ctx.ip, accountFound: Boolean(user && !user.disabled) } });
  // Not awaited: sending takes time only when the account exists.
  if (user && !user.disabled) void sendRecoveryLink(ctx, user, flow.id).catch((e) => ctx.deps.warn('recovery link failed', e));
  return { state: 'sent_email', status: 200, data: { ...flow.data, email }, ui: codeUi(text, email) };
}

async function resetWithCode(ctx: RequestContext, flow: Flow, input: FlowInput): Promise<FlowStep> {
  const text = textFor(ctx);
  const { values, errors } = readFields(input, { code: { kind: 'code', required: true }, password: { kind: 'password', required: true } }, text);
  if (hasErrors(errors)) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { fieldErrors: errors }) };
  const data = { ...flow.data };
  // Check the new password before spending the code, so a refused password does not cost the user their code.
  const pending = await createAccountTokenRepository(ctx.deps.db).findUsable(ctx.tenant.id, 'reset_code', flowCodeSecret(flow.id, values.code), ctx.now);
  const owner = pending && await createUserRepository(ctx.deps.db).find(ctx.tenant.id, pending.userId);
  if (owner) {
    const policy = await checkNewPassword(ctx, owner, values.password);
    if (!policy.ok) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { fieldErrors: { password: passwordRefusal(text, ctx, policy, values.password) } }) };
  }
  const result = await consumeFlowCode(ctx, { id: flow.id, data }, 'reset_code', values.code);
  if (!result.ok) {
    return { state: flow.state, status: 400, data, ui: withFeedback(flow.ui, { fieldErrors: { code: text.error(result.code) } }) };
  }
  const outcome = await resetPassword(ctx, result.user, values.password);
  if (!outcome.ok) return { state: flow.state, status: 400, data, ui: withFeedback(flow.ui, { fieldErrors: { password: passwordRefusal(text, ctx, outcome, values.password) } }) };
  return { state: 'success', status: 200, data, ui: { nodes: [], messages: [text.success('recovery.succeeded')], submitLabel: '' } };
}

/** Sets the new password of a user who proved control of their mailbox (link or code). */
export async function resetPassword(ctx: RequestContext, user: User, password: string) {
  const policy = await checkNewPassword(ctx, user, password);
  if (!policy.ok) return policy;
  const hash = await ctx.deps.hashing.hash(password);
  await ctx.deps.db.transaction().execute((trx) => replacePassword(trx, ctx, user, hash, { type: 'user.password_reset', emailProven: true }));
  await afterPasswordChange(ctx, user);
  return { ok: true as const };
}
