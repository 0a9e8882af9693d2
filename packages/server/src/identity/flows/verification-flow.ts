import { createUserRepository } from '../../db/repositories/users.js';
import { sendVerificationLink } from '../account-links.js';
import { consumeFlowCode, LINK_MESSAGES, verifyEmail } from '../email-verification.js';
import { checkEmail } from '../identifiers.js';
import { emailField, hasErrors, readFields } from './flow-fields.js';
import { error, success, withFeedback } from './flow-ui.js';
import type { FlowDefinition } from './flow-types.js';
import { sentEmailUi } from './registration-flow.js';

/** Asks for a (new) verification email; the answer never says whether the address has an account. */
export const verificationFlow: FlowDefinition = {
  type: 'verification',
  requiresSession: false,
  lifetimeSeconds: (ctx) => ctx.settings.verificationLinkLifetime,
  async start() {
    return { state: 'choose_method', ui: { nodes: [emailField()], messages: [], submitLabel: 'Send verification email' } };
  },
  async submit(ctx, flow, input) {
    if (flow.state === 'sent_email') {
      const { values, errors } = readFields(input, { code: { kind: 'code', required: true } });
      if (hasErrors(errors)) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { fieldErrors: errors }) };
      const data = { ...flow.data };
      const result = await consumeFlowCode(ctx, { id: flow.id, data }, 'verify_code', values.code);
      if (!result.ok || !(await verifyEmail(ctx, result))) {
        const code = result.ok ? 'link.invalid' : result.code;
        return { state: flow.state, status: 400, data, ui: withFeedback(flow.ui, { fieldErrors: { code: error(code, LINK_MESSAGES[code] ?? '') } }) };
      }
      return { state: 'success', status: 200, data, ui: { nodes: [], messages: [success('verification.succeeded', 'Your email address is verified.')], submitLabel: '' } };
    }
    const { values, errors } = readFields(input, { email: { kind: 'identifier', required: true } });
    const email = errors.email ? undefined : checkEmail(values.email);
    if (email && !email.ok) errors.email = error(email.code, email.message);
    if (hasErrors(errors) || !email?.ok) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { values, fieldErrors: errors }) };
    const quota = await ctx.deps.limits.consume(ctx.tenant.id, 'verificationPerEmail', ctx.settings.limits, email.value.toLowerCase());
    if (!quota.allowed) {
      return { state: flow.state, status: 429, retryAfterSeconds: quota.retryAfterSeconds, ui: withFeedback(flow.ui, { values,
        messages: [error('verification.throttled', 'Too many emails were sent to this address. Try again later.')] }) };
    }
    const user = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, email.value, ['email']);
    if (user && !user.disabled && !user.emailVerified && user.email) void sendVerificationLink(ctx, user, user.email, flow.id);
    return { state: 'sent_email', status: 200, data: { ...flow.data, email: email.value }, ui: sentEmailUi(email.value,
      `If ${email.value} belongs to an account that needs verifying, we sent it a link and a code. Open the link, or enter the code here.`) };
  },
};
