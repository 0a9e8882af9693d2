import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { accountKeyFor } from '../account-links.js';
import { formatWait, textFor, type PageKey } from '../flows/flow-text.js';
import type { FactorOutcome, SignInMethod } from './factor-strategy.js';

/**
 * What the emailed-code and SMS-code strategies share: the brute-force gate before a code is
 * checked, and the audit and count of each failure and success. Every method counts toward the
 * same limits of the account (ASVS V2.2.1).
 */

type Refused = Extract<FactorOutcome, { kind: 'refused' }>;

/** The account's brute-force key: the user's, else (an unknown identifier in a first step) the identifier typed. */
const keyOf = (user: User | undefined, identifier: string) => accountKeyFor(user, identifier);

/** A refusal when the account or address is blocked or slowed down; undefined when a code may be checked. */
export async function gateCodeAttempt(ctx: RequestContext, method: SignInMethod, user: User | undefined, identifier = ''): Promise<Refused | undefined> {
  const gate = await ctx.deps.limits.checkSignIn(ctx.tenant.id, ctx.settings.limits, keyOf(user, identifier), ctx.ip);
  if (gate.allowed) return undefined;
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: user?.id ?? null, subject: user?.id ?? null,
    correlationId: ctx.correlationId, data: { method, reason: 'throttled', gate: gate.reason, ip: ctx.ip } });
  const text = textFor(ctx);
  return { kind: 'refused', status: 429, retryAfterSeconds: gate.retryAfterSeconds,
    message: gate.reason === 'blocked' ? text.error('signin.blocked') : text.error('signin.throttled', { wait: formatWait(gate.retryAfterSeconds, text.locale) }) };
}

/** A wrong, expired or used code: audited (`mfa.failed`, never the code) and counted; the message goes on `field`. */
export async function refuseCode(ctx: RequestContext, method: SignInMethod, user: User | undefined, reason: string, message: PageKey,
  field = 'code', identifier = ''): Promise<Refused> {
  const counted = await ctx.deps.limits.recordSignInFailure(ctx.tenant.id, ctx.settings.limits, keyOf(user, identifier), ctx.ip);
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: user?.id ?? null, subject: user?.id ?? null,
    correlationId: ctx.correlationId, data: { method, reason, failures: counted.failures, ip: ctx.ip } });
  return { kind: 'refused', status: 400, message: textFor(ctx).error(message), field };
}

/** A proven code: audited (`mfa.used`), and the account's failure count cleared. */
export async function acceptCode(ctx: RequestContext, method: SignInMethod, user: User, data: Record<string, unknown> = {}): Promise<void> {
  await ctx.deps.limits.recordSignInSuccess(ctx.tenant.id, ctx.settings.limits, keyOf(user, ''), ctx.ip);
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.used', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
    data: { method, ip: ctx.ip, ...data } });
}

/** A 6-digit code as typed (spaces and dashes allowed), or undefined. */
export function readSixDigits(value: string | undefined): string | undefined {
  const digits = (value ?? '').replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : undefined;
}
