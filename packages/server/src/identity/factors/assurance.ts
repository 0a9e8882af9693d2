import { effectiveMfa, type FactorKind, type MfaSettings } from '../../config/mfa-settings.js';
import type { RequestContext } from '../account-deps.js';

/**
 * Authentication context classes Tessera issues (`acr`, OIDC Core §2), weakest first, and the
 * level each stands for. A client asks for one with `acr_values`; Auth0's multi-factor URI is
 * accepted as an alias of `mfa`.
 */
export const ACR = {
  /** One factor: a password, or an emailed code. */
  single: 'urn:tessera:acr:1fa',
  /** Two factors, or a passkey with user verification (something you have plus something you know or are). */
  multi: 'urn:tessera:acr:mfa',
  /** Phishing-resistant: a passkey (origin-bound, NIST SP 800-63B §5.2.5). */
  phishingResistant: 'urn:tessera:acr:phr',
} as const;
export const ACR_VALUES = [ACR.single, ACR.multi, ACR.phishingResistant] as const;
const AUTH0_MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';
const LEVEL_OF: Record<string, number> = { [ACR.single]: 1, [ACR.multi]: 2, [ACR.phishingResistant]: 3, [AUTH0_MFA]: 2 };

/** `amr` values of each sign-in method (RFC 8176; `email` for emailed codes and links). */
export const AMR_OF: Record<'password' | FactorKind, string[]> = {
  password: ['pwd'],
  totp: ['otp'],
  recovery_code: ['otp'],
  sms_code: ['sms'],
  email_code: ['email'],
  // A passkey adds `hwk` (bound to one device) or `swk` (synced) when it signs in: see passkey strategy.
  passkey: [],
};

const POSSESSION = ['otp', 'sms', 'email', 'hwk', 'swk'];

/**
 * The `amr` after adding `added` to what the sign-in already proved. `mfa` is added when two
 * different methods were used, or for a passkey: it is verified with the user's PIN or biometrics
 * (user verification required), so it is two factors in one (NIST SP 800-63B §5.1.9).
 */
export function combineAmr(before: readonly string[], added: readonly string[]): string[] {
  const methods = [...new Set([...before, ...added].filter((value) => value !== 'mfa'))];
  const passkey = methods.includes('hwk') || methods.includes('swk');
  const distinct = methods.filter((value) => value === 'pwd' || POSSESSION.includes(value)).length;
  return passkey || distinct >= 2 ? [...methods, 'mfa'] : methods;
}

/** The level an `amr` reaches: 3 phishing-resistant (passkey), 2 multi-factor, 1 one factor, 0 nothing. */
export function levelOf(amr: readonly string[]): number {
  if (amr.includes('hwk') || amr.includes('swk')) return 3;
  if (amr.includes('mfa')) return 2;
  return amr.length ? 1 : 0;
}

/** The `acr` to issue for an `amr`. */
export function acrFor(amr: readonly string[]): string {
  const level = levelOf(amr);
  return level >= 3 ? ACR.phishingResistant : level === 2 ? ACR.multi : ACR.single;
}

/**
 * The level a client asks for with `acr_values` (space-separated, OIDC Core §3.1.2.1): the
 * lowest of the values Tessera knows, since any of them would do; 0 when it asks for none we know.
 */
export function requestedLevel(acrValues: unknown): number {
  if (typeof acrValues !== 'string') return 0;
  const levels = acrValues.split(' ').map((value) => LEVEL_OF[value]).filter((level): level is number => level !== undefined);
  return levels.length ? Math.min(...levels) : 0;
}

/** What a sign-in must reach: the tenant's (or application's) policy, and what the client asked for. */
export interface AssuranceNeed {
  /** 2 when MFA is required by policy (a remembered device satisfies this), else 1. */
  policyLevel: number;
  /** What the client asked for with acr_values (a remembered device does not satisfy this). */
  requestedLevel: number;
}

/**
 * What a sign-in must reach. Under `optional`, a user who enrolled a strong factor (TOTP, a
 * passkey, SMS) must use it: they set it up to be asked for it (`enrolledStrong`).
 */
export function assuranceNeed(mfa: MfaSettings, acrValues?: unknown, enrolledStrong = false): AssuranceNeed {
  // MFA off: no second step at all; acr_values is voluntary (OIDC Core §3.1.2.1), so the tokens say what happened.
  if (mfa.policy === 'off') return { policyLevel: 1, requestedLevel: 0 };
  const multi = mfa.policy === 'required' || (mfa.policy === 'optional' && enrolledStrong);
  return { policyLevel: multi ? 2 : 1, requestedLevel: requestedLevel(acrValues) };
}

/** Whether `amr` is enough for the need; a remembered device counts for the policy only. */
export function isSatisfied(need: AssuranceNeed, amr: readonly string[], deviceRemembered = false): boolean {
  const level = levelOf(amr);
  const policyMet = level >= need.policyLevel || (deviceRemembered && need.policyLevel === 2 && level >= 1);
  return policyMet && level >= need.requestedLevel;
}

/** The MFA settings for a sign-in to `clientId` (its own policy over the tenant's), or to the account pages. */
export async function mfaFor(ctx: RequestContext, clientId?: string | null): Promise<MfaSettings> {
  if (!clientId || !ctx.applicationMfa) return ctx.settings.mfa;
  return effectiveMfa(ctx.settings.mfa, await ctx.applicationMfa(clientId));
}
