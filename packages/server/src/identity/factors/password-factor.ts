import { signInWithPassword, type SignInResult } from '../password-sign-in.js';
import { hasErrors, identifierField, readFields } from '../flows/flow-fields.js';
import { formatWait, textFor, type FlowText } from '../flows/flow-text.js';
import { field, type Message } from '../flows/flow-ui.js';
import type { FactorStrategy } from './factor-strategy.js';

/**
 * What the user is told for each sign-in refusal, in the request's language. Unknown account and
 * wrong password read the same.
 */
export function signInRefusal(result: Exclude<SignInResult, { ok: true }>, text: FlowText): { status: number; message: Message; retryAfterSeconds?: number } {
  switch (result.reason) {
    case 'invalid_credentials':
      return { status: 400, message: text.error('signin.invalid_credentials') };
    case 'throttled':
      return { status: 429, retryAfterSeconds: result.retryAfterSeconds, message: result.gate === 'blocked'
        ? text.error('signin.blocked') : text.error('signin.throttled', { wait: formatWait(result.retryAfterSeconds, text.locale) }) };
    case 'disabled':
      return { status: 403, message: text.error('account.disabled') };
    case 'unverified':
      return { status: 403, message: text.error('account.unverified') };
  }
}

/**
 * Username-or-email and password, the first step of most sign-ins. Its nodes have no group, so
 * the page draws them as the main form, and a submission without `method` is a password one.
 */
export const passwordFactor: FactorStrategy = {
  method: 'password',
  firstFactor: true,
  secondFactor: false,
  strong: false,
  async isEnrolled(_ctx, user) {
    return Boolean(user.passwordHash);
  },
  async form(ctx, step) {
    if (step !== 'first') return { nodes: [] };
    const text = textFor(ctx);
    const identifier = identifierField(ctx.settings, text);
    // `webauthn` lets the browser offer passkeys in the field's autofill (conditional UI).
    const passkeys = ctx.settings.mfa.passwordless.includes('passkey') && ctx.settings.mfa.factors.includes('passkey');
    return { nodes: [
      passkeys ? { ...identifier, autocomplete: `${identifier.autocomplete ?? 'username'} webauthn` } : identifier,
      field('password', 'password', text.t('label.password'), { autocomplete: 'current-password' }),
    ] };
  },
  async submit(ctx, step, flow, input) {
    if (step !== 'first' || (input.method !== undefined && input.method !== 'password')) return { kind: 'not_mine' };
    const text = textFor(ctx);
    const { errors, values } = readFields(input, { identifier: { kind: 'identifier', required: true }, password: { kind: 'password', required: true } }, text);
    if (hasErrors(errors)) {
      const [name, message] = Object.entries(errors)[0]!;
      return { kind: 'refused', status: 400, message: message!, field: name };
    }
    const result = await signInWithPassword(ctx, values.identifier, values.password, typeof flow.data.clientId === 'string' ? flow.data.clientId : null);
    if (result.ok) return { kind: 'verified', user: result.user, amr: ['pwd'] };
    const refusal = signInRefusal(result, text);
    return { kind: 'refused', status: refusal.status, message: refusal.message, ...(refusal.retryAfterSeconds ? { retryAfterSeconds: refusal.retryAfterSeconds } : {}) };
  },
};
