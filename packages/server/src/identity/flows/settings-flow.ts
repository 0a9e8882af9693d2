import { recordAuditEvent } from '../../audit/audit-log.js';
import { createAccountSessionRepository } from '../../db/repositories/account-sessions.js';
import { createUserRepository, type User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { accountKeyFor, displayName, sendEmailChangeLink, sendMail } from '../account-links.js';
import { checkEmail } from '../identifiers.js';
import { afterPasswordChange, checkNewPassword, replacePassword } from '../password-reset.js';
import { emailField, hasErrors, identifierError, newPasswordField, readFields } from './flow-fields.js';
import { formatWait, passwordRefusal, textFor, type FlowText } from './flow-text.js';
import { field, withFeedback, type FlowUi, type Message } from './flow-ui.js';
import { FlowError, type Flow, type FlowDefinition, type FlowInput, type FlowStep } from './flow-types.js';
import { startSession } from '../sessions.js';

const currentPassword = (text: FlowText, group: string) =>
  ({ ...field('current_password', 'password', text.t('label.current_password'), { autocomplete: 'current-password' }), group });

function settingsUi(text: FlowText, user: User): FlowUi {
  return {
    nodes: [
      // Tells password managers whose password changes (hidden, not editable here).
      { ...field('username', 'hidden', text.t('label.username'), { value: user.username ?? user.email ?? '', required: false, autocomplete: 'username' }),
        group: 'password' },
      currentPassword(text, 'password'),
      { ...newPasswordField(text, 'new_password', 'label.new_password'), group: 'password' },
      { ...emailField(text, 'label.new_email'), name: 'new_email', value: user.email ?? '', group: 'email' },
      currentPassword(text, 'email'),
      currentPassword(text, 'delete'),
      { ...field('confirm', 'text', text.t('label.confirm_delete'), { autocomplete: 'off' }), group: 'delete' },
    ],
    messages: [],
    submitLabel: text.t('button.save'),
  };
}

const METHODS = ['password', 'email', 'delete'] as const;

/**
 * Account settings of the signed-in user: change password, change email (the new address is
 * verified before it replaces the old one, and the old one is told), delete the account. Each
 * asks for the current password again (re-authentication, ASVS V3.7.1), and wrong ones count
 * toward the brute-force limits.
 */
export const settingsFlow: FlowDefinition = {
  type: 'settings',
  requiresSession: true,
  lifetimeSeconds: () => 3600,
  async start(ctx) {
    const user = await sessionUser(ctx);
    return { state: 'show_form', ui: settingsUi(textFor(ctx), user), userId: user.id };
  },
  async submit(ctx, flow, input) {
    const user = await sessionUser(ctx);
    const text = textFor(ctx);
    if (flow.userId !== user.id) throw new FlowError(403, text.error('flow.not_yours'));
    const method = METHODS.find((m) => m === input.method);
    const ui = settingsUi(text, user);
    if (!method) return { state: flow.state, status: 400, ui: withFeedback(ui, { messages: [text.error('settings.unknown_method')] }) };
    const { values, errors } = readFields(input, {
      current_password: { kind: 'password', required: true }, new_password: { kind: 'password', required: method === 'password' },
      new_email: { kind: 'identifier', required: method === 'email' }, confirm: { kind: 'text', required: method === 'delete' },
    }, text);
    const fail = (fieldErrors: Partial<Record<string, Message>>, status = 400, messages: Message[] = []): FlowStep =>
      ({ state: flow.state, status, ui: tagGroup(withFeedback(ui, { values: { new_email: values.new_email }, fieldErrors, messages }), method) });
    if (hasErrors(errors)) return fail(errors);
    const reauth = await reauthenticate(ctx, user, values.current_password);
    if (reauth) return fail({ current_password: reauth.message }, reauth.status);
    if (method === 'password') return changePassword(ctx, flow, user, values.new_password, fail);
    if (method === 'email') return changeEmail(ctx, flow, user, values.new_email, fail);
    if (values.confirm !== 'DELETE') return fail({ confirm: text.error('settings.confirm_delete') });
    return deleteAccount(ctx, user);
  },
};

/** Form errors belong to the group that was submitted. */
function tagGroup(ui: FlowUi, group: string): FlowUi {
  return { ...ui, nodes: ui.nodes.map((node) => (node.group === group ? node : { ...node, messages: [] })) };
}

async function sessionUser(ctx: RequestContext): Promise<User> {
  const user = ctx.session && await createUserRepository(ctx.deps.db).find(ctx.tenant.id, ctx.session.userId);
  if (!user) throw new FlowError(401, textFor(ctx).error('session.required.settings'));
  return user;
}

async function reauthenticate(ctx: RequestContext, user: User, password: string): Promise<{ status: number; message: Message } | undefined> {
  const key = accountKeyFor(user, '');
  const gate = await ctx.deps.limits.checkSignIn(ctx.tenant.id, ctx.settings.limits, key, ctx.ip);
  const text = textFor(ctx);
  if (!gate.allowed) return { status: 429, message: text.error('signin.throttled', { wait: formatWait(gate.retryAfterSeconds, text.locale) }) };
  const verified = user.passwordHash ? await ctx.deps.hashing.verifyAndUpdate(password, user.passwordHash) : { valid: false };
  if (verified.valid) return undefined;
  await ctx.deps.limits.recordSignInFailure(ctx.tenant.id, ctx.settings.limits, key, ctx.ip);
  return { status: 400, message: text.error('settings.wrong_password') };
}

async function changePassword(ctx: RequestContext, flow: Flow, user: User, password: string, fail: (e: Partial<Record<string, Message>>) => FlowStep): Promise<FlowStep> {
  const text = textFor(ctx);
  const policy = await checkNewPassword(ctx, user, password);
  if (!policy.ok) return fail({ new_password: passwordRefusal(text, ctx, policy, password) });
  const hash = await ctx.deps.hashing.hash(password);
  await ctx.deps.db.transaction().execute((trx) => replacePassword(trx, ctx, user, hash, { type: 'user.password_changed' }));
  await afterPasswordChange(ctx, user);
  // Every session was revoked with the old stamp; this browser continues under a fresh one.
  const current = await createUserRepository(ctx.deps.db).find(ctx.tenant.id, user.id);
  const session = current ? await startSession(ctx, current, ['pwd']) : undefined;
  return { state: 'show_form', status: 200, ...(session ? { session } : { signedOut: true }), ui: withFeedback(settingsUi(text, user),
    { messages: [text.success('settings.password_changed')] }) };
}

async function changeEmail(ctx: RequestContext, flow: Flow, user: User, newEmail: string, fail: (e: Partial<Record<string, Message>>) => FlowStep): Promise<FlowStep> {
  const text = textFor(ctx);
  const email = checkEmail(newEmail);
  if (!email.ok) return fail({ new_email: identifierError(text, email) });
  if (user.email?.toLowerCase() === email.value.toLowerCase()) return fail({ new_email: text.error('settings.same_email') });
  const taken = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, email.value, ['email', 'username']);
  await recordAuditEvent(ctx.deps.db, { tenantId: ctx.tenant.id, type: 'user.email_change_requested', actor: user.id, subject: user.id,
    correlationId: ctx.correlationId, data: { ip: ctx.ip } });
  // A taken address gets no link (and the answer is the same), so this cannot probe for accounts.
  if (!taken) void sendEmailChangeLink(ctx, user, email.value);
  return { state: 'show_form', status: 200, ui: withFeedback(settingsUi(text, user),
    { messages: [text.info('settings.email_link_sent', { email: email.value })] }) };
}

async function deleteAccount(ctx: RequestContext, user: User): Promise<FlowStep> {
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createAccountSessionRepository(trx).revokeAllForUser(user.id, ctx.now);
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'user.deleted', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { ip: ctx.ip, username: user.username, email: user.email } });
    await createUserRepository(trx).delete(user.id);
  });
  if (user.email) void sendMail(ctx, user.email, 'account-deleted', { userName: displayName(user) });
  return { state: 'success', status: 200, signedOut: true, accountDeleted: true,
    ui: { nodes: [], messages: [textFor(ctx).success('settings.account_deleted')], submitLabel: '' } };
}

/** Applies a confirmed email change (the link sent to the new address); the old address is told. */
export async function confirmEmailChange(ctx: RequestContext, user: User, newEmail: string): Promise<boolean> {
  const taken = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, newEmail, ['email', 'username']);
  if (taken && taken.id !== user.id) return false;
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createUserRepository(trx).setEmail(user.id, newEmail, true);
    await createAccountSessionRepository(trx).revokeAllForUser(user.id, ctx.now);
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'user.email_changed', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { ip: ctx.ip } });
  });
  if (user.email) void sendMail(ctx, user.email, 'email-changed', { userName: displayName(user), newEmail });
  return true;
}
