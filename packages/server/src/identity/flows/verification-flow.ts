import { verifyEmailByCode } from './verify-code-step.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { sendVerificationLink } from '../account-links.js';
import { checkEmail } from '../identifiers.js';
import { emailField, hasErrors, identifierError, readFields } from './flow-fields.js';
import { textFor } from './flow-text.js';
import { withFeedback } from './flow-ui.js';
import type { FlowDefinition } from './flow-types.js';
import { sentEmailUi } from './registration-flow.js';

/** Asks for a (new) verification email; the answer never says whether the address has an account. */
export const verificationFlow: FlowDefinition = {
  type: 'verification',
  requiresSession: false,
  lifetimeSeconds: (ctx) => ctx.settings.verificationLinkLifetime,
  async start(ctx) {
    const text = textFor(ctx);
    return { state: 'choose_method', ui: { nodes: [emailField(text)], messages: [], submitLabel: text.t('button.send_verification') } };
  },
  async submit(ctx, flow, input) {
    const text = textFor(ctx);
    if (flow.state === 'sent_email') {
      const verified = await verifyEmailByCode(ctx, flow, input);
      if (!verified.ok) return verified.step;
      return { state: 'success', status: 200, data: verified.data, ui: { nodes: [], messages: [text.success('verification.succeeded')], submitLabel: '' } };
    }
    const { values, errors } = readFields(input, { email: { kind: 'identifier', required: true } }, text);
    const email = errors.email ? undefined : checkEmail(values.email);
    if (email && !email.ok) errors.email = identifierError(text, email);
    if (hasErrors(errors) || !email?.ok) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { values, fieldErrors: errors }) };
    const quota = await ctx.deps.limits.consume(ctx.tenant.id, 'verificationPerEmail', ctx.settings.limits, email.value.toLowerCase());
    if (!quota.allowed) {
      return { state: flow.state, status: 429, retryAfterSeconds: quota.retryAfterSeconds, ui: withFeedback(flow.ui, { values,
        messages: [text.error('verification.throttled')] }) };
    }
    const user = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, email.value, ['email']);
    if (user && !user.disabled && !user.emailVerified && user.email) void sendVerificationLink(ctx, user, user.email, flow.id);
    return { state: 'sent_email', status: 200, data: { ...flow.data, email: email.value }, ui: sentEmailUi(text, email.value, 'verification.sent.if_account') };
  },
};
