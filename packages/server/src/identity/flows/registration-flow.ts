import { verifyEmailByCode } from './verify-code-step.js';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createUserRepository } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { sendMail, sendVerificationLink } from '../account-links.js';
import { checkEmail, checkUsername } from '../identifiers.js';
import { startSession } from '../sessions.js';
import { consumeQuotas } from './email-request-steps.js';
import { codeField, emailField, hasErrors, identifierError, newPasswordField, readFields } from './flow-fields.js';
import { passwordRefusal, textFor, type FlowText } from './flow-text.js';
import { field, withFeedback, type FlowUi, type Message } from './flow-ui.js';
import { FlowError, type Flow, type FlowDefinition, type FlowInput, type FlowStep } from './flow-types.js';

function registrationUi(ctx: RequestContext): FlowUi {
  const withUsername = ctx.settings.signInIdentifiers.includes('username');
  const text = textFor(ctx);
  return {
    nodes: [
      emailField(text),
      ...(withUsername ? [field('username', 'text', text.t('label.username'), { autocomplete: 'username', required: false })] : []),
      field('name', 'text', text.t('label.name'), { autocomplete: 'name', required: false }),
      newPasswordField(text),
    ],
    messages: [],
    submitLabel: text.t('button.create_account'),
  };
}

/** "We sent a link and a code": `sent` is `verification.sent` or its variant. */
export const sentEmailUi = (text: FlowText, email: string, sent: 'verification.sent' | 'verification.sent.if_account'): FlowUi => ({
  nodes: [field('email', 'hidden', text.t('label.email'), { value: email, required: false }), codeField(text)],
  messages: [text.info(sent, { email })],
  submitLabel: text.t('button.verify'),
});

const doneUi = (message: Message): FlowUi => ({ nodes: [], messages: [message], submitLabel: '' });

/**
 * Self-registration. With verification required (the default) the answer is the same whether or
 * not the email already has an account — its owner gets a mail instead (OWASP Authentication
 * Cheat Sheet, "account creation") — and the same work is done either way (one argon2 hash).
 */
export const registrationFlow: FlowDefinition = {
  type: 'registration',
  requiresSession: false,
  lifetimeSeconds: () => 3600,
  async start(ctx) {
    if (!ctx.settings.selfRegistration) {
      throw new FlowError(403, textFor(ctx).error('registration.disabled'));
    }
    return { state: 'choose_method', ui: registrationUi(ctx) };
  },
  async submit(ctx, flow, input) {
    if (flow.state === 'sent_email') return submitCode(ctx, flow, input);
    if (flow.state !== 'choose_method') return { state: flow.state, status: 400, ui: flow.ui };
    return register(ctx, flow, input);
  },
};

async function register(ctx: RequestContext, flow: Flow, input: FlowInput): Promise<FlowStep> {
  const { deps, tenant, settings } = ctx;
  const text = textFor(ctx);
  const { values, errors } = readFields(input, {
    email: { kind: 'identifier', required: true }, username: { kind: 'identifier', required: false },
    name: { kind: 'text', required: false }, password: { kind: 'password', required: true },
  }, text);
  const shown = { email: values.email, username: values.username, name: values.name };
  const email = errors.email ? undefined : checkEmail(values.email);
  if (email && !email.ok) errors.email = identifierError(text, email);
  const username = values.username && !errors.username ? checkUsername(values.username) : undefined;
  if (username && !username.ok) errors.username = identifierError(text, username);
  if (values.name.length > 200) errors.name = text.error('field.too_long.characters', { max: 200 });
  if (!errors.password) {
    const policy = await deps.checkPassword(values.password, {
      settings: settings.passwordPolicy, identifiers: [username?.ok ? username.value : undefined, email?.ok ? email.value : undefined],
    });
    if (!policy.ok) errors.password = passwordRefusal(text, ctx, policy, values.password);
  }
  if (hasErrors(errors) || !email?.ok) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { values: shown, fieldErrors: errors }) };

  const throttled = await consumeQuotas(ctx, flow, [['registrationPerIp', ctx.ip], ['registrationPerEmail', email.value.toLowerCase()]],
    { code: 'registration.throttled', values: shown });
  if (throttled) return throttled;
  const users = createUserRepository(deps.db);
  if (username?.ok && await users.findByLogin(tenant.id, username.value, ['username', 'email'])) {
    return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { values: shown,
      fieldErrors: { username: text.error('username.taken') } }) };
  }
  const passwordHash = await deps.hashing.hash(values.password);
  const existing = await users.findByLogin(tenant.id, email.value, ['email', 'username']);
  if (existing) {
    // Say nothing different; tell the address's owner instead.
    await deps.audit.write({ tenantId: tenant.id, type: 'user.registration_attempt_existing', subject: existing.id,
      correlationId: ctx.correlationId, data: { ip: ctx.ip } });
    void sendMail(ctx, email.value, 'registration-attempt', { userName: existing.name ?? '', signInLink: `${deps.publicUrl}/${tenant.id}/account/login`,
      recoveryLink: `${deps.publicUrl}/${tenant.id}/account/recovery` });
    return { state: 'sent_email', status: 200, ui: sentEmailUi(text, email.value, 'verification.sent'), data: { ...flow.data, email: email.value } };
  }
  const user = await deps.db.transaction().execute(async (trx) => {
    const created = await createUserRepository(trx).insert(tenant.id, {
      email: email.value, username: username?.ok ? username.value : null, name: values.name || null, emailVerified: false, passwordHash, roles: [],
    });
    await recordAuditEvent(trx, { tenantId: tenant.id, type: 'user.registered', actor: created.id, subject: created.id,
      correlationId: ctx.correlationId, data: { ip: ctx.ip, method: 'password' } });
    return created;
  });
  if (!settings.requireVerifiedEmail) {
    void sendVerificationLink(ctx, user, email.value, flow.id);
    const session = await startSession(ctx, user, ['pwd']);
    return { state: 'success', status: 200, userId: user.id, session, ui: doneUi(text.success('registration.succeeded')) };
  }
  void sendVerificationLink(ctx, user, email.value, flow.id);
  return { state: 'sent_email', status: 200, userId: user.id, ui: sentEmailUi(text, email.value, 'verification.sent'), data: { ...flow.data, email: email.value } };
}

/** The code from the verification mail, typed into the same flow: verifies and signs in. */
async function submitCode(ctx: RequestContext, flow: Flow, input: FlowInput): Promise<FlowStep> {
  const verified = await verifyEmailByCode(ctx, flow, input);
  if (!verified.ok) return verified.step;
  const session = await startSession(ctx, verified.user, ['pwd', 'email']);
  return { state: 'success', status: 200, userId: verified.user.id, session, data: verified.data,
    ui: doneUi(textFor(ctx).success('verification.succeeded.signed_in')) };
}
