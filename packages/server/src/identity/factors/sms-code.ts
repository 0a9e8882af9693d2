import { randomInt } from 'node:crypto';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createAccountTokenRepository } from '../../db/repositories/account-tokens.js';
import { createFactorRepository, type UserFactor } from '../../db/repositories/factors.js';
import type { User } from '../../db/repositories/users.js';
import { E164Schema } from '../../sms/sms-sender.js';
import type { RequestContext } from '../account-deps.js';
import { flowCodeSecret } from '../account-links.js';
import { consumeAccountToken, consumeFlowCode, MAX_CODE_ATTEMPTS } from '../email-verification.js';
import { textFor } from '../flows/flow-text.js';
import type { Flow } from '../flows/flow-types.js';
import { field, type FlowUi, type Node } from '../flows/flow-ui.js';
import { removeFactor } from './remove-factor.js';
import type { FactorManager, ManageResult } from './factor-manager.js';
import { storedFactorEnrolled, type FactorOutcome, type FactorStrategy } from './factor-strategy.js';
import { acceptCode, gateCodeAttempt, readSixDigits, refuseCode } from './oob-code.js';

const METHOD = 'sms_code';
const LIFETIME_SECONDS = 600;
export const SMS_CODE_SENT = 'sms_code_sent';

const hidden = (name: string, value: string, group: string): Node => ({ ...field(name, 'hidden', '', { value }), group });
const phoneOf = (factor: UserFactor): string => (typeof factor.data.phone === 'string' ? factor.data.phone : '');
/** `+1555•••4567`: enough to recognize one's own phone. */
const masked = (phone: string): string => `${phone.slice(0, 4)}${'•'.repeat(Math.max(0, phone.length - 8))}${phone.slice(-4)}`;

const phones = (ctx: RequestContext, user: User) => createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'sms' });

/**
 * Texts a 6-digit code (stored as a hash under `secret`, single-use, 10 minutes). Sends are
 * counted per number (the `verificationPerEmail` quota, keyed `sms:{phone}`) so nobody can flood a
 * phone. Returns a refusal message key, or undefined when sent.
 */
async function textCode(ctx: RequestContext, user: User, phone: string, secretFor: (code: string) => string, data: Record<string, unknown>)
  : Promise<{ status: number; key: 'sms_code.throttled' | 'sms_code.send_failed'; retryAfterSeconds?: number } | undefined> {
  const quota = await ctx.deps.limits.consume(ctx.tenant.id, 'verificationPerEmail', ctx.settings.limits, `sms:${phone}`);
  if (!quota.allowed) return { status: 429, key: 'sms_code.throttled', retryAfterSeconds: quota.retryAfterSeconds };
  const tokens = createAccountTokenRepository(ctx.deps.db);
  await tokens.revokeForUser(user.id, ['sms_code'], ctx.now);
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await tokens.insert({ tenantId: ctx.tenant.id, userId: user.id, purpose: 'sms_code', secret: secretFor(code), securityStamp: user.securityStamp,
    expiresAt: new Date(ctx.now.getTime() + LIFETIME_SECONDS * 1000), data });
  // The last line is the WebOTP format (origin-bound one-time codes), so browsers can offer to fill it in.
  const text = `${textFor(ctx).t('sms_code.text', { code, tenantName: ctx.tenant.name })}\n\n@${new URL(ctx.deps.publicUrl).host} #${code}`;
  try {
    await ctx.deps.sms.send({ tenantId: ctx.tenant.id, to: phone, text });
  } catch (error) {
    ctx.deps.warn('sms code could not be sent', error);
    return { status: 503, key: 'sms_code.send_failed' };
  }
  return undefined;
}

function sentUi(ctx: RequestContext, phone: string): FlowUi {
  const text = textFor(ctx);
  const nodes: Node[] = [{ ...field('code', 'code', text.t('label.sms_code'), { autocomplete: 'one-time-code' }), group: METHOD }];
  if (ctx.settings.mfa.rememberDeviceDays > 0) {
    nodes.push({ ...field('remember_device', 'checkbox', text.t('label.remember_device', { days: ctx.settings.mfa.rememberDeviceDays }), { required: false }), group: METHOD });
  }
  nodes.push(hidden('action', 'send', `${METHOD}:send`));
  return { nodes, messages: [text.info('sms_code.sent', { phone: masked(phone) })], submitLabel: text.t('button.sign_in'), groups: {
    [METHOD]: { title: text.t('method.sms_code'), submitLabel: text.t('button.sign_in') },
    [`${METHOD}:send`]: { title: text.t('sms_code.resend_title'), submitLabel: text.t('button.email_code_resend') },
  } };
}

async function sendForSignIn(ctx: RequestContext, flow: Flow, user: User): Promise<FactorOutcome> {
  const [factor] = await phones(ctx, user);
  if (!factor) return { kind: 'refused', status: 400, message: textFor(ctx).error('signin.unknown_method') };
  const refused = await textCode(ctx, user, phoneOf(factor), (code) => flowCodeSecret(flow.id, code), { flowId: flow.id, factorId: factor.id });
  if (refused) return { kind: 'refused', status: refused.status, message: textFor(ctx).error(refused.key), ...(refused.retryAfterSeconds ? { retryAfterSeconds: refused.retryAfterSeconds } : {}) };
  return { kind: 'continue', state: SMS_CODE_SENT, ui: sentUi(ctx, phoneOf(factor)), data: { codeAttempts: 0 } };
}

async function proveSignIn(ctx: RequestContext, flow: Flow, code: string | undefined, user: User): Promise<FactorOutcome> {
  const gate = await gateCodeAttempt(ctx, METHOD, user);
  if (gate) return gate;
  const digits = readSixDigits(code);
  if (!digits) return refuseCode(ctx, METHOD, user, 'malformed_code', 'sms_code.code_invalid');
  const result = await consumeFlowCode(ctx, flow, 'sms_code', digits);
  if (!result.ok || result.user.id !== user.id) {
    const reason = result.ok ? 'wrong_user' : result.code === 'link.invalid' ? 'wrong_or_expired_code' : result.code;
    return refuseCode(ctx, METHOD, user, reason, !result.ok && result.code !== 'link.invalid' ? result.code : 'sms_code.code_invalid');
  }
  const factorId = typeof result.token.data.factorId === 'string' ? result.token.data.factorId : undefined;
  if (factorId) await createFactorRepository(ctx.deps.db).touch(factorId, ctx.now);
  await acceptCode(ctx, METHOD, user, factorId ? { factorId } : {});
  return { kind: 'verified', user, amr: ['sms'], ...(factorId ? { factorId } : {}) };
}

/**
 * A code by text message, as a second factor only (NIST SP 800-63B §5.1.3.3: a restricted
 * authenticator, never a sign-in on its own). 6 digits, 10 minutes, single-use, stored hashed.
 */
export const smsCodeFactor: FactorStrategy = {
  method: METHOD,
  firstFactor: false,
  secondFactor: true,
  strong: true,
  storedKind: 'sms',
  isEnrolled: storedFactorEnrolled('sms'),
  async form(_ctx, step) {
    return step === 'second' ? { nodes: [hidden('action', 'send', METHOD)] } : { nodes: [] };
  },
  async submit(ctx, step, flow, input, user) {
    const [kind, sub] = (input.method ?? '').split(':', 2);
    if (kind !== METHOD || step !== 'second') return { kind: 'not_mine' };
    if (!user) return { kind: 'refused', status: 410, message: textFor(ctx).error('flow.expired') };
    const action = sub ?? input.action;
    if (flow.state !== SMS_CODE_SENT || action === 'send') return sendForSignIn(ctx, flow, user);
    return proveSignIn(ctx, flow, input.code, user);
  },
};

async function startEnrolment(ctx: RequestContext, user: User, phoneInput: string | undefined): Promise<ManageResult> {
  const text = textFor(ctx);
  const phone = E164Schema.safeParse((phoneInput ?? '').replace(/[\s().-]/g, ''));
  if (!phone.success) return { status: 400, messages: [], fieldErrors: { phone: text.error('sms_code.phone_invalid') } };
  if ((await phones(ctx, user)).some((factor) => phoneOf(factor) === phone.data)) return { status: 409, messages: [text.error('sms_code.already')] };
  const factor = await createFactorRepository(ctx.deps.db).insert({ tenantId: ctx.tenant.id, userId: user.id, kind: 'sms', name: masked(phone.data),
    data: { phone: phone.data }, confirmed: false, now: ctx.now });
  const refused = await textCode(ctx, user, phone.data, (code) => `enrol:${factor.id}:${code}`, { factorId: factor.id });
  if (refused) return { status: refused.status, messages: [text.error(refused.key)] };
  return { status: 200, messages: [text.info('sms_code.sent', { phone: masked(phone.data) })], data: { smsPending: factor.id, smsAttempts: 0 },
    nodes: [{ ...field('code', 'code', text.t('label.sms_code'), { autocomplete: 'one-time-code' }), group: METHOD }, hidden('action', 'confirm', METHOD)],
    groups: { [METHOD]: { title: text.t('method.sms_code'), submitLabel: text.t('button.sms_confirm') } } };
}

async function confirmEnrolment(ctx: RequestContext, user: User, code: string | undefined, data: Record<string, unknown>): Promise<ManageResult> {
  const text = textFor(ctx);
  const pendingId = typeof data.smsPending === 'string' ? data.smsPending : undefined;
  const pending = pendingId ? await createFactorRepository(ctx.deps.db).find(ctx.tenant.id, user.id, pendingId) : undefined;
  const attempts = Number(data.smsAttempts ?? 0);
  if (!pending || pending.confirmed || attempts >= MAX_CODE_ATTEMPTS) return { status: 400, messages: [text.error('sms_code.restart')], data: { smsPending: null } };
  const digits = readSixDigits(code);
  const result = digits ? await consumeAccountToken(ctx, 'sms_code', `enrol:${pending.id}:${digits}`) : undefined;
  if (!result?.ok) {
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
      data: { method: METHOD, reason: digits ? 'wrong_or_expired_code' : 'malformed_code', stage: 'enrolment', ip: ctx.ip } });
    return { status: 400, messages: [], fieldErrors: { code: text.error('sms_code.code_invalid') }, data: { smsAttempts: attempts + 1 },
      nodes: [{ ...field('code', 'code', text.t('label.sms_code'), { autocomplete: 'one-time-code' }), group: METHOD }, hidden('action', 'confirm', METHOD)],
      groups: { [METHOD]: { title: text.t('method.sms_code'), submitLabel: text.t('button.sms_confirm') } } };
  }
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createFactorRepository(trx).confirm(pending.id);
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'mfa.enrolled', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
      data: { method: METHOD, factorId: pending.id, ip: ctx.ip } });
  });
  return { status: 200, messages: [text.success('sms_code.enrolled')], amr: ['sms'], data: { smsPending: null } };
}


/** Phones for SMS codes on the security page: each (masked) with a remove button, and "add one" (number → code → confirmed). */
export const smsCodeManager: FactorManager = {
  method: METHOD,
  async section(ctx, user) {
    const text = textFor(ctx);
    const nodes: Node[] = [];
    const groups: NonNullable<FlowUi['groups']> = {};
    for (const factor of await phones(ctx, user)) {
      const group = `${METHOD}:${factor.id}`;
      groups[group] = { title: masked(phoneOf(factor)), submitLabel: text.t('button.remove') };
      nodes.push({ ...field('phone', 'display', text.t('label.sms_phone'), { required: false, value: masked(phoneOf(factor)) }), group },
        hidden('action', 'remove', group));
    }
    groups[METHOD] = { title: text.t('method.sms_code'), submitLabel: text.t('button.sms_add') };
    nodes.push({ ...field('phone', 'text', text.t('label.phone'), { autocomplete: 'tel' }), group: METHOD }, hidden('action', 'add', METHOD));
    return { nodes, groups };
  },
  async enrolledCount(ctx, user) {
    return (await phones(ctx, user)).length;
  },
  async act(ctx, user, action, input, data) {
    if (action === 'add') return startEnrolment(ctx, user, input.phone);
    if (action === 'confirm') return confirmEnrolment(ctx, user, input.code, data);
    if (action === 'remove') return removeFactor(ctx, user, 'sms', METHOD, input.item, 'sms_code.removed');
    return { status: 400, messages: [textFor(ctx).error('mfa.unknown_action')] };
  },
  changes(action) {
    return action === 'add' || action === 'confirm' || action === 'remove';
  },
};
