import { verifyEmailByCode } from './verify-code-step.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { sendVerificationLink } from '../account-links.js';
import { emailField } from './flow-fields.js';
import { consumeQuotas, readEmailField } from './email-request-steps.js';
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
    const read = readEmailField(ctx, flow, input);
    if (!read.ok) return read.step;
    const { email, values } = read;
    const throttled = await consumeQuotas(ctx, flow, [['verificationPerEmail', email.toLowerCase()]], { code: 'verification.throttled', values });
    if (throttled) return throttled;
    const user = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, email, ['email']);
    if (user && !user.disabled && !user.emailVerified && user.email) void sendVerificationLink(ctx, user, user.email, flow.id);
    return { state: 'sent_email', status: 200, data: { ...flow.data, email: email }, ui: sentEmailUi(text, email, 'verification.sent.if_account') };
  },
};
