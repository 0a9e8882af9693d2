import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import type { FactorManager } from './factor-manager.js';
import { confirmedKindsOf, type FactorStrategy, type SignInMethod } from './factor-strategy.js';
import { passwordFactor } from './password-factor.js';
import { emailCodeFactor } from './email-code.js';
import { smsCodeFactor, smsCodeManager } from './sms-code.js';
import { recoveryCodeFactor, recoveryCodeManager } from './recovery-codes.js';
import { totpFactor, totpManager } from './totp.js';
import { passkeyFactor, passkeyManager } from './passkey.js';

/**
 * Every sign-in method Tessera knows, in the order the login flow asks them. A new factor is a
 * new file in this folder plus one line here.
 */
export const STRATEGIES: FactorStrategy[] = [
  passwordFactor,
  passkeyFactor,
  totpFactor, recoveryCodeFactor,
  emailCodeFactor, smsCodeFactor,
];

export function strategyFor(method: SignInMethod): FactorStrategy | undefined {
  return STRATEGIES.find((strategy) => strategy.method === method);
}

/** How each factor is managed on the security page (identity/flows/security-flow.ts). A factor with nothing to enrol (emailed codes) has none. */
export const MANAGERS: FactorManager[] = [
  passkeyManager,
  totpManager, recoveryCodeManager,
  smsCodeManager,
];

/**
 * Whether the user enrolled a strong factor the policy allows (an emailed code is not one: every
 * verified address has it). Asked on every sign-in, so it is one query for all strong factors.
 */
export async function hasStrongFactor(ctx: RequestContext, factors: readonly string[], user: User): Promise<boolean> {
  const strongKinds = factors.flatMap((kind) => {
    const strategy = strategyFor(kind as SignInMethod);
    return strategy?.strong && strategy.secondFactor && strategy.storedKind ? [strategy.storedKind] : [];
  });
  if (!strongKinds.length) return false;
  const enrolled = await confirmedKindsOf(ctx, user);
  return strongKinds.some((kind) => enrolled.has(kind));
}
