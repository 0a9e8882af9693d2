import { createUserRepository, type User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { consumeFlowCode } from '../email-verification.js';
import { hasErrors, identifierField, readFields } from '../flows/flow-fields.js';
import { textFor, type FlowText } from '../flows/flow-text.js';
import type { Flow, FlowInput } from '../flows/flow-types.js';
import { field, type FlowUi, type Message, type Node } from '../flows/flow-ui.js';
import { consumeApprovedLink, consumeBoundLink, sendSignInMail, voidSignInMail } from './email-link.js';
import type { FactorOutcome, FactorStrategy, SignInStep } from './factor-strategy.js';
import { acceptCode, gateCodeAttempt, readSixDigits, refuseCode } from './oob-code.js';

const METHOD = 'email_code';
export const EMAIL_CODE_STATES = { identify: 'email_code_identify', sent: 'email_code_sent' } as const;

/** What the flow remembers between the steps of an emailed sign-in (flows.data.emailCode); never shown to clients. */
interface EmailCodeData { identifier?: string; userId?: string }

type Continue = Extract<FactorOutcome, { kind: 'continue' }>;

const hidden = (name: string, value: string, group: string): Node => ({ ...field(name, 'hidden', '', { value }), group });

/** `email_code`, or `email_code:check` / `email_code:send` from the page's extra buttons: the sub-action. */
function parseMethod(method: string | undefined): { mine: boolean; action?: string } {
  const [kind, action] = (method ?? '').split(':', 2);
  return { mine: kind === METHOD, ...(action ? { action } : {}) };
}

/** A verified, enabled user with an address: the only kind a sign-in mail goes to. */
const canReceive = (user: User | undefined): user is User & { email: string } => Boolean(user?.email && user.emailVerified && !user.disabled);

function masked(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, Math.min(local.length - 1, 6)))}@${domain}`;
}

/** The form after a mail was (or, for an unknown identifier, seemingly was) sent: the code, "continue" after approving elsewhere, and resend. */
function sentUi(ctx: RequestContext, step: SignInStep, intro: Message): FlowUi {
  const text = textFor(ctx);
  const nodes: Node[] = [{ ...field('code', 'code', text.t('label.email_code'), { autocomplete: 'one-time-code' }), group: METHOD }];
  if (step === 'second' && ctx.settings.mfa.rememberDeviceDays > 0) {
    nodes.push({ ...field('remember_device', 'checkbox', text.t('label.remember_device', { days: ctx.settings.mfa.rememberDeviceDays }), { required: false }), group: METHOD });
  }
  nodes.push(hidden('action', 'check', `${METHOD}:check`), hidden('action', 'send', `${METHOD}:send`));
  return { nodes, messages: [intro], submitLabel: text.t('button.sign_in'), groups: {
    [METHOD]: { title: text.t('method.email_code'), submitLabel: text.t('button.sign_in') },
    [`${METHOD}:check`]: { title: text.t('email_code.check_title'), submitLabel: text.t('button.email_code_check') },
    [`${METHOD}:send`]: { title: text.t('email_code.resend_title'), submitLabel: text.t('button.email_code_resend') },
  } };
}

function identifyUi(ctx: RequestContext, text: FlowText): Continue {
  const identifier = { ...identifierField(ctx.settings, text), group: METHOD };
  return { kind: 'continue', state: EMAIL_CODE_STATES.identify, ui: { nodes: [identifier, hidden('action', 'send', METHOD)],
    messages: [text.info('email_code.identify')], submitLabel: text.t('button.email_code_send'),
    groups: { [METHOD]: { title: text.t('method.email_code'), submitLabel: text.t('button.email_code_send') } } } };
}

/** Counts the send against the per-address quota; the same answer for unknown identifiers (no enumeration, ASVS V2.2.x). */
async function throttled(ctx: RequestContext, key: string): Promise<FactorOutcome | undefined> {
  const quota = await ctx.deps.limits.consume(ctx.tenant.id, 'verificationPerEmail', ctx.settings.limits, `signin:${key.toLowerCase()}`);
  if (quota.allowed) return undefined;
  return { kind: 'refused', status: 429, retryAfterSeconds: quota.retryAfterSeconds, message: textFor(ctx).error('email_code.throttled') };
}

/** First step: who to mail. Unknown, unverified and disabled accounts get the same answer and no mail. */
async function sendFirst(ctx: RequestContext, flow: Flow, input: FlowInput, remembered?: string): Promise<FactorOutcome> {
  const text = textFor(ctx);
  const { values, errors } = readFields(remembered === undefined ? input : { identifier: remembered }, { identifier: { kind: 'identifier', required: true } }, text);
  if (hasErrors(errors)) return { kind: 'refused', status: 400, message: errors.identifier!, field: 'identifier' };
  const identifier = values.identifier;
  const refusal = await throttled(ctx, identifier);
  if (refusal) return refusal;
  const user = await createUserRepository(ctx.deps.db).findByLogin(ctx.tenant.id, identifier, ctx.settings.signInIdentifiers);
  // Not awaited: the answer must take as long for an unknown identifier as for a known one (as recovery does).
  if (canReceive(user)) void sendSignInMail(ctx, flow.id, user).catch((error) => ctx.deps.warn('sign-in mail failed', error));
  const emailCode: EmailCodeData = { identifier, ...(canReceive(user) ? { userId: user.id } : {}) };
  return { kind: 'continue', state: EMAIL_CODE_STATES.sent, ui: sentUi(ctx, 'first', text.info('email_code.sent', { identifier })),
    data: { emailCode, codeAttempts: 0 } };
}

async function sendSecond(ctx: RequestContext, flow: Flow, user: User): Promise<FactorOutcome> {
  if (!canReceive(user)) return { kind: 'refused', status: 400, message: textFor(ctx).error('signin.unknown_method') };
  const refusal = await throttled(ctx, user.email);
  if (refusal) return refusal;
  await sendSignInMail(ctx, flow.id, user);
  return { kind: 'continue', state: EMAIL_CODE_STATES.sent, ui: sentUi(ctx, 'second', textFor(ctx).info('email_code.sent_to', { email: masked(user.email) })),
    data: { emailCode: { userId: user.id }, codeAttempts: 0 } };
}

/** The user the mail went to: the signed-in-so-far user (second step), or who the identifier named (first step). */
async function mailedUser(ctx: RequestContext, flow: Flow, user: User | undefined): Promise<User | undefined> {
  if (user) return user;
  const userId = (flow.data.emailCode as EmailCodeData | undefined)?.userId;
  return userId ? createUserRepository(ctx.deps.db).find(ctx.tenant.id, userId) : undefined;
}

/** A code, a link opened in this browser (experience/magic-link-routes.ts), or "continue" after approving on another device. */
async function prove(ctx: RequestContext, flow: Flow, input: FlowInput, action: string | undefined, known: User | undefined): Promise<FactorOutcome> {
  const identifier = (flow.data.emailCode as EmailCodeData | undefined)?.identifier ?? '';
  const user = await mailedUser(ctx, flow, known);
  const gate = await gateCodeAttempt(ctx, METHOD, user, identifier);
  if (gate) return gate;
  if (action === 'check') {
    const approved = user ? await consumeApprovedLink(ctx, flow.id, user.id) : { ok: false as const, code: 'not_approved' as const };
    if (!approved.ok && approved.code === 'not_approved') return { kind: 'refused', status: 400, message: textFor(ctx).error('email_code.not_approved') };
    return approved.ok ? verified(ctx, approved.user, 'link_approved') : refuseCode(ctx, METHOD, user, approved.code, approved.code, 'code', identifier);
  }
  if (action === 'link') {
    const linked = await consumeBoundLink(ctx, flow.id, input.link ?? '');
    return linked.ok && linked.user.id === user?.id ? verified(ctx, linked.user, 'link')
      : refuseCode(ctx, METHOD, user, 'link_invalid', linked.ok ? 'link.invalid' : linked.code, 'code', identifier);
  }
  const code = readSixDigits(input.code);
  if (!code) return refuseCode(ctx, METHOD, user, 'malformed_code', 'email_code.code_invalid', 'code', identifier);
  const result = await consumeFlowCode(ctx, flow, 'signin_code', code);
  if (!result.ok) {
    const key = result.code === 'link.invalid' ? 'email_code.code_invalid' : result.code;
    return refuseCode(ctx, METHOD, user, result.code === 'link.invalid' ? 'wrong_or_expired_code' : result.code, key, 'code', identifier);
  }
  if (result.user.id !== user?.id) return refuseCode(ctx, METHOD, user, 'wrong_user', 'email_code.code_invalid', 'code', identifier);
  return verified(ctx, result.user, 'code');
}

async function verified(ctx: RequestContext, user: User, via: string): Promise<FactorOutcome> {
  await voidSignInMail(ctx, user.id);
  await acceptCode(ctx, METHOD, user, { via });
  return { kind: 'verified', user, amr: ['email'] };
}

/**
 * Sign-in by email (after Slack and Medium): one mail carries a magic link and a 6-digit code,
 * single-use, 10 minutes (identity/factors/email-link.ts). As a first factor (where the tenant
 * allows it: mfa.passwordless) it asks who, then for the code; as a second factor it mails the
 * user's verified address. The link completes the sign-in in the browser that asked, or is
 * approved from another device and completed with "Continue".
 */
export const emailCodeFactor: FactorStrategy = {
  method: METHOD,
  firstFactor: true,
  secondFactor: true,
  strong: false,
  async isEnrolled(_ctx, user) {
    return canReceive(user);
  },
  async form(_ctx, step) {
    return { nodes: [hidden('action', step === 'first' ? 'start' : 'send', METHOD)] };
  },
  async submit(ctx, step, flow, input, user) {
    const parsed = parseMethod(input.method);
    if (!parsed.mine) return { kind: 'not_mine' };
    const action = parsed.action ?? input.action;
    const sent = flow.state === EMAIL_CODE_STATES.sent;
    if (step === 'second') {
      if (!user) return { kind: 'refused', status: 410, message: textFor(ctx).error('flow.expired') };
      return action === 'send' || !sent ? sendSecond(ctx, flow, user) : prove(ctx, flow, input, action, user);
    }
    if (sent && action === 'send') return sendFirst(ctx, flow, input, (flow.data.emailCode as EmailCodeData | undefined)?.identifier);
    if (sent) return prove(ctx, flow, input, action, undefined);
    if (flow.state === EMAIL_CODE_STATES.identify || input.identifier !== undefined) return sendFirst(ctx, flow, input);
    return identifyUi(ctx, textFor(ctx));
  },
};
