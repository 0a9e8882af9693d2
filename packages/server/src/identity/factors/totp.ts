import { hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createFactorRepository, createRecoveryCodeRepository, type UserFactor } from '../../db/repositories/factors.js';
import type { User } from '../../db/repositories/users.js';
import { decryptSecret, encryptSecret } from '../../security/key-encryption.js';
import type { RequestContext } from '../account-deps.js';
import { accountKeyFor, sendUnblockLink } from '../account-links.js';
import { formatWait, textFor, type FlowText } from '../flows/flow-text.js';
import { field, type Message, type Node } from '../flows/flow-ui.js';
import { removeFactor } from './remove-factor.js';
import type { FactorManager, ManageResult } from './factor-manager.js';
import { storedFactorEnrolled, type FactorOutcome, type FactorStrategy, type SignInMethod } from './factor-strategy.js';

/** RFC 6238 parameters every authenticator app understands (Google Authenticator ignores others): SHA-1, 6 digits, 30 s. */
const PERIOD = 30;
const DIGITS = 6;
/** One step either side tolerates clock drift (RFC 6238 §5.2 recommends at most one step of network delay). */
const WINDOW = 1;
const MAX_NAME = 100;

const sealingKey = (secretKey: Buffer) => Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'tessera totp secret', 32));
const sealContext = (factorId: string) => `totp:${factorId}`;

function totpOf(ctx: RequestContext, user: User, base32: string): TOTP {
  return new TOTP({ issuer: ctx.tenant.name || ctx.tenant.id, label: user.username ?? user.email ?? user.id, algorithm: 'SHA1', digits: DIGITS,
    period: PERIOD, secret: Secret.fromBase32(base32) });
}

const secretOf = (ctx: RequestContext, factor: UserFactor): string => decryptSecret(sealingKey(ctx.deps.secretKey), factor.secret ?? '', sealContext(factor.id));

/** Spaces are allowed in a typed code ("123 456"); anything but 6 digits is not a code. */
const cleanCode = (value: string | undefined): string | undefined => {
  const code = (value ?? '').replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : undefined;
};

/**
 * The time step `code` belongs to for this secret, within ±1 step of now, or undefined. otpauth
 * compares codes in constant time (ASVS V2.8.x).
 */
function matchingStep(ctx: RequestContext, base32: string, code: string): number | undefined {
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(base32), algorithm: 'SHA1', digits: DIGITS, period: PERIOD,
    timestamp: ctx.now.getTime(), window: WINDOW });
  return delta === null ? undefined : Math.floor(ctx.now.getTime() / 1000 / PERIOD) + delta;
}

/**
 * Checks a code against each of the user's authenticators and spends the step that matched (RFC
 * 6238 §5.2: a code is accepted once). `used`: it matched, but its step was already spent.
 */
async function verifyCode(ctx: RequestContext, factors: UserFactor[], code: string): Promise<{ factor: UserFactor } | { failure: 'invalid_code' | 'replayed_code' }> {
  const repo = createFactorRepository(ctx.deps.db);
  let replayed = false;
  for (const factor of factors) {
    const step = matchingStep(ctx, secretOf(ctx, factor), code);
    if (step === undefined) continue;
    if (await repo.consumeStep(factor.id, step, ctx.now)) return { factor };
    replayed = true;
  }
  return { failure: replayed ? 'replayed_code' : 'invalid_code' };
}

// --- Second-step attempts, shared with recovery codes --------------------------------------

/** The brute-force gate of the account (the password's counters), as a refusal when closed. */
export async function secondStepGate(ctx: RequestContext, user: User, method: SignInMethod): Promise<{ refused?: FactorOutcome; clean: boolean }> {
  const gate = await ctx.deps.limits.checkSignIn(ctx.tenant.id, ctx.settings.limits, accountKeyFor(user, ''), ctx.ip);
  if (gate.allowed) return { clean: Boolean(gate.clean) };
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'signin.throttled', outcome: 'failure', subject: user.id, correlationId: ctx.correlationId,
    data: { method, gate: gate.reason, retryAfterSeconds: gate.retryAfterSeconds, ip: ctx.ip } });
  const text = textFor(ctx);
  const message = gate.reason === 'blocked' ? text.error('signin.blocked') : text.error('signin.throttled', { wait: formatWait(gate.retryAfterSeconds, text.locale) });
  return { clean: false, refused: { kind: 'refused', status: 429, message, retryAfterSeconds: gate.retryAfterSeconds } };
}

/**
 * A wrong second-step code: counted toward the account's brute-force limits like a wrong
 * password (ASVS V2.2.1), audited as `mfa.failed` (never with the code), and refused.
 */
export async function refuseSecondStep(ctx: RequestContext, user: User, method: SignInMethod, reason: string, message: Message): Promise<FactorOutcome> {
  const counted = await ctx.deps.limits.recordSignInFailure(ctx.tenant.id, ctx.settings.limits, accountKeyFor(user, ''), ctx.ip);
  const base = { tenantId: ctx.tenant.id, actor: user.id, subject: user.id, correlationId: ctx.correlationId, outcome: 'failure' as const };
  await ctx.deps.audit.write({ ...base, type: 'mfa.failed', data: { method, reason, failures: counted.failures, ip: ctx.ip } });
  if (counted.blockedNow) {
    await ctx.deps.audit.write({ ...base, type: 'signin.blocked', data: { method, ip: ctx.ip, failures: counted.failures,
      blockSeconds: ctx.settings.limits.signIn.blockSeconds } });
    await sendUnblockLink(ctx, user);
  }
  return { kind: 'refused', status: 400, message };
}

/** After a right code: clear the failure counters (unless the gate said there were none) and audit `mfa.used`. */
export async function acceptSecondStep(ctx: RequestContext, user: User, clean: boolean, data: Record<string, unknown>): Promise<void> {
  if (!clean) await ctx.deps.limits.recordSignInSuccess(ctx.tenant.id, ctx.settings.limits, accountKeyFor(user, ''), ctx.ip);
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.used', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
    data: { ...data, ip: ctx.ip } });
}

// --- Sign-in ---------------------------------------------------------------------------------

const codeNode = (text: FlowText): Node =>
  ({ ...field('code', 'code', text.t('label.totp_code'), { autocomplete: 'one-time-code' }), group: 'totp' });

/** A code from an authenticator app (RFC 6238), as the second step of a sign-in. */
export const totpFactor: FactorStrategy = {
  method: 'totp',
  firstFactor: false,
  secondFactor: true,
  strong: true,
  storedKind: 'totp',
  isEnrolled: storedFactorEnrolled('totp'),
  async form(ctx, step) {
    return step === 'second' ? { nodes: [codeNode(textFor(ctx))] } : { nodes: [] };
  },
  async submit(ctx, step, _flow, input, user) {
    if (step !== 'second' || input.method !== 'totp' || !user) return { kind: 'not_mine' };
    const text = textFor(ctx);
    const gate = await secondStepGate(ctx, user, 'totp');
    if (gate.refused) return gate.refused;
    const code = cleanCode(input.code);
    const factors = await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'totp' });
    const result = code ? await verifyCode(ctx, factors, code) : { failure: 'invalid_code' as const };
    if ('failure' in result) {
      return refuseSecondStep(ctx, user, 'totp', result.failure, text.error(result.failure === 'replayed_code' ? 'mfa.code_used' : 'mfa.code_invalid'));
    }
    await acceptSecondStep(ctx, user, gate.clean, { method: 'totp', factorId: result.factor.id });
    return { kind: 'verified', user, amr: ['otp'], factorId: result.factor.id };
  },
};

// --- Security page -----------------------------------------------------------------------------

const actionNode = (group: string, action: string): Node => ({ ...field('action', 'hidden', '', { value: action }), group });

function formatDate(date: Date | null, text: FlowText): string {
  return date ? new Intl.DateTimeFormat(text.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date) + ' UTC'
    : text.t('label.never_used');
}

/** The enrolment form: the QR code (drawn here as SVG, no third party sees the secret), the key, the URI, the code and a name. */
async function enrolmentNodes(ctx: RequestContext, user: User, base32: string, name?: string): Promise<Node[]> {
  const text = textFor(ctx);
  const uri = totpOf(ctx, user, base32).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return [
    field('qr_code', 'image', text.t('label.totp_qr'), { required: false, value: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, sensitive: true }),
    field('secret', 'display', text.t('label.totp_secret'), { required: false, value: base32, sensitive: true }),
    field('otpauth_uri', 'display', text.t('label.totp_uri'), { required: false, value: uri, sensitive: true }),
    field('code', 'code', text.t('label.totp_code'), { autocomplete: 'one-time-code' }),
    field('name', 'text', `${text.t('label.totp_name')} ${text.t('label.optional')}`, { required: false, value: name ?? text.t('totp.default_name') }),
    actionNode('totp', 'confirm'),
  ].map((node) => ({ ...node, group: 'totp' }));
}

async function startEnrolment(ctx: RequestContext, user: User): Promise<ManageResult> {
  const text = textFor(ctx);
  const id = randomUUID();
  // 160 bits, the HMAC-SHA-1 key length RFC 4226 §4 recommends; sealed at rest with AES-256-GCM bound to the row (ASVS V2.9.1).
  const base32 = new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;
  await createFactorRepository(ctx.deps.db).insert({ id, tenantId: ctx.tenant.id, userId: user.id, kind: 'totp', name: text.t('totp.default_name'),
    secret: encryptSecret(sealingKey(ctx.deps.secretKey), base32, sealContext(id)), confirmed: false, now: ctx.now });
  return { status: 200, messages: [text.info('totp.scan')], nodes: await enrolmentNodes(ctx, user, base32),
    groups: { totp: { title: text.t('method.totp'), submitLabel: text.t('button.totp_confirm') } }, data: { totpPending: id } };
}

async function confirmEnrolment(ctx: RequestContext, user: User, input: Record<string, string>, data: Record<string, unknown>): Promise<ManageResult> {
  const text = textFor(ctx);
  const repo = createFactorRepository(ctx.deps.db);
  const pending = typeof data.totpPending === 'string' ? await repo.find(ctx.tenant.id, user.id, data.totpPending) : undefined;
  if (!pending || pending.kind !== 'totp' || pending.confirmed) return { status: 400, messages: [text.error('totp.no_enrolment')] };
  const name = (input.name ?? '').trim() || text.t('totp.default_name');
  const base32 = secretOf(ctx, pending);
  const again = async (message: Message, fieldName: string): Promise<ManageResult> => ({ status: 400, messages: [], fieldErrors: { [fieldName]: message },
    nodes: await enrolmentNodes(ctx, user, base32, name), groups: { totp: { title: text.t('method.totp'), submitLabel: text.t('button.totp_confirm') } } });
  if ([...name].length > MAX_NAME) return again(text.error('field.too_long.characters', { max: MAX_NAME }), 'name');
  const code = cleanCode(input.code);
  const result = code ? await verifyCode(ctx, [pending], code) : { failure: 'invalid_code' as const };
  if ('failure' in result) {
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { method: 'totp', reason: result.failure, stage: 'enrolment', ip: ctx.ip } });
    return again(text.error(result.failure === 'replayed_code' ? 'mfa.code_used' : 'mfa.code_invalid'), 'code');
  }
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createFactorRepository(trx).confirm(pending.id, { name });
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'mfa.enrolled', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
      data: { method: 'totp', factorId: pending.id, ip: ctx.ip } });
  });
  const messages = [text.success('totp.enrolled')];
  // The first strong factor is the moment to hand out recovery codes, before the phone is lost.
  if (ctx.settings.mfa.factors.includes('recovery_code') && (await createRecoveryCodeRepository(ctx.deps.db).counts(user.id)).unused === 0) {
    messages.push(text.info('recovery_codes.offer'));
  }
  return { status: 200, messages, amr: ['otp'], data: { totpPending: null } };
}


/** Authenticator apps on the security page: each one with its name, dates and a remove button, and "add one". */
export const totpManager: FactorManager = {
  method: 'totp',
  async section(ctx, user) {
    const text = textFor(ctx);
    const factors = await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'totp' });
    const nodes: Node[] = [];
    const groups: Record<string, { title: string; submitLabel: string }> = {};
    for (const factor of factors) {
      const group = `totp:${factor.id}`;
      groups[group] = { title: factor.name, submitLabel: text.t('button.remove') };
      nodes.push(
        { ...field('added', 'display', text.t('label.factor_added'), { required: false, value: formatDate(factor.createdAt, text) }), group },
        { ...field('last_used', 'display', text.t('label.factor_last_used'), { required: false, value: formatDate(factor.lastUsedAt, text) }), group },
        actionNode(group, 'remove'),
      );
    }
    groups.totp = { title: text.t('method.totp'), submitLabel: text.t('button.totp_add') };
    nodes.push(actionNode('totp', 'add'));
    return { nodes, groups };
  },
  async enrolledCount(ctx, user) {
    return (await createFactorRepository(ctx.deps.db).listForUser(ctx.tenant.id, user.id, { kind: 'totp' })).length;
  },
  async act(ctx, user, action, input, data) {
    if (action === 'add') return startEnrolment(ctx, user);
    if (action === 'confirm') return confirmEnrolment(ctx, user, input, data);
    if (action === 'remove') return removeFactor(ctx, user, 'totp', 'totp', input.item, 'totp.removed');
    return { status: 400, messages: [textFor(ctx).error('mfa.unknown_action')] };
  },
  changes(action) {
    return action === 'add' || action === 'confirm' || action === 'remove';
  },
};
