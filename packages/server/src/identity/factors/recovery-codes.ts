import { randomBytes } from 'node:crypto';
import { Secret } from 'otpauth';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createRecoveryCodeRepository } from '../../db/repositories/factors.js';
import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { textFor, type FlowText } from '../flows/flow-text.js';
import { field, type Message, type Node } from '../flows/flow-ui.js';
import type { FactorManager, ManageResult } from './factor-manager.js';
import type { FactorStrategy } from './factor-strategy.js';
import { acceptSecondStep, refuseSecondStep, secondStepGate } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;
/** At or below this many unused codes, the user is told to make new ones. */
export const RECOVERY_CODES_LOW = 2;

/**
 * A new code: 10 random bytes as 16 base32 characters (80 bits). Under 112 bits, ASVS V2.6.2 asks
 * for a unique salt and a one-way hash: the stored hash is SHA-256 over the user's id and the code.
 */
function newCode(): string {
  return new Secret({ buffer: new Uint8Array(randomBytes(10)).buffer }).base32;
}

/** `ABCDEFGHIJKLMNOP` → `abcd-efgh-ijkl-mnop`, the way codes are shown. */
export function formatRecoveryCode(code: string): string {
  return code.toLowerCase().match(/.{1,4}/g)!.join('-');
}

/** What the user typed as the stored form: dashes and spaces dropped, upper case; undefined when it cannot be a code. */
export function normalizeRecoveryCode(typed: string | undefined): string | undefined {
  const code = (typed ?? '').replace(/[\s-]/g, '').toUpperCase();
  return /^[A-Z2-7]{16}$/.test(code) ? code : undefined;
}

/** A recovery code as the second step of a sign-in, when the phone or security key is gone. Each code works once. */
export const recoveryCodeFactor: FactorStrategy = {
  method: 'recovery_code',
  firstFactor: false,
  secondFactor: true,
  strong: false,
  async isEnrolled(ctx, user) {
    return (await createRecoveryCodeRepository(ctx.deps.db).counts(user.id)).unused > 0;
  },
  async form(ctx, step) {
    if (step !== 'second') return { nodes: [] };
    return { nodes: [{ ...field('code', 'text', textFor(ctx).t('label.recovery_code'), { autocomplete: 'off' }), group: 'recovery_code' }] };
  },
  async submit(ctx, step, _flow, input, user) {
    if (step !== 'second' || input.method !== 'recovery_code' || !user) return { kind: 'not_mine' };
    const text = textFor(ctx);
    const gate = await secondStepGate(ctx, user, 'recovery_code');
    if (gate.refused) return gate.refused;
    const code = normalizeRecoveryCode(input.code);
    const repo = createRecoveryCodeRepository(ctx.deps.db);
    // Looked up by its SHA-256 hash, so no comparison of the secret itself can leak timing; the UPDATE spends it atomically.
    if (!code || !(await repo.consume(user.id, code, ctx.now))) {
      return refuseSecondStep(ctx, user, 'recovery_code', code ? 'invalid_or_used_code' : 'malformed_code', text.error('recovery_codes.invalid'));
    }
    const { unused } = await repo.counts(user.id);
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.recovery_code_used', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { remaining: unused, ip: ctx.ip } });
    await acceptSecondStep(ctx, user, gate.clean, { method: 'recovery_code' });
    const low = recoveryCodesLowMessage(text, unused);
    return { kind: 'verified', user, amr: ['otp'], ...(low ? { messages: [low] } : {}) };
  },
};

/** The "few codes left" notice, for the sign-in that used one and for the security page. */
export function recoveryCodesLowMessage(text: FlowText, remaining: number): Message | undefined {
  return remaining <= RECOVERY_CODES_LOW ? text.info('recovery_codes.low', { remaining }) : undefined;
}

const generateNode = (): Node => ({ ...field('action', 'hidden', '', { value: 'generate' }), group: 'recovery_code' });

async function generate(ctx: RequestContext, user: User): Promise<ManageResult> {
  const text = textFor(ctx);
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  // Replacing the set and recording it happen together: old codes stop working exactly when the new ones exist.
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createRecoveryCodeRepository(trx).replace(ctx.tenant.id, user.id, codes, ctx.now);
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'mfa.recovery_codes_generated', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { count: codes.length, ip: ctx.ip } });
  });
  const nodes: Node[] = [
    { ...field('recovery_codes', 'display', text.t('label.recovery_codes'), { required: false, value: codes.map(formatRecoveryCode).join('\n'), sensitive: true }),
      group: 'recovery_code' },
    generateNode(),
  ];
  return { status: 200, messages: [text.success('recovery_codes.generated')], nodes,
    groups: { recovery_code: { title: text.t('method.recovery_code'), submitLabel: text.t('button.recovery_codes_regenerate') } } };
}

/** Recovery codes on the security page: how many unused remain, and generating a new set (shown once). */
export const recoveryCodeManager: FactorManager = {
  method: 'recovery_code',
  async section(ctx, user) {
    const text = textFor(ctx);
    const { total, unused } = await createRecoveryCodeRepository(ctx.deps.db).counts(user.id);
    const nodes: Node[] = [];
    if (total > 0) {
      const low = recoveryCodesLowMessage(text, unused);
      nodes.push({ ...field('remaining', 'display', text.t('label.recovery_codes_remaining'), { required: false, value: String(unused) }),
        group: 'recovery_code', ...(low ? { messages: [low] } : {}) });
    }
    nodes.push(generateNode());
    const submitLabel = text.t(total > 0 ? 'button.recovery_codes_regenerate' : 'button.recovery_codes_generate');
    return { nodes, groups: { recovery_code: { title: text.t('method.recovery_code'), submitLabel } } };
  },
  async enrolledCount(ctx, user) {
    return (await createRecoveryCodeRepository(ctx.deps.db).counts(user.id)).unused > 0 ? 1 : 0;
  },
  async act(ctx, user, action) {
    if (action === 'generate') return generate(ctx, user);
    return { status: 400, messages: [textFor(ctx).error('mfa.unknown_action')] };
  },
  changes(action) {
    return action === 'generate';
  },
};
