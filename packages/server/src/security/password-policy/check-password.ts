import { checkBreached, type BreachCheckWarning } from './breach-check.js';
import { isCommonPassword, isTrivialPattern } from './common-passwords.js';
import { containsIdentifier } from './identifier-fragments.js';
import type { PasswordPolicySettings } from './password-policy-settings.js';
import { codePointLength, normalizePassword } from './password-text.js';

/**
 * A new password checked against a tenant's policy, after NIST SP 800-63B §5.1.1.2 (§3.1.1.2 in
 * rev. 4): a minimum and a generous maximum length, a blocklist (common passwords, trivial
 * patterns, the account's own identifiers, optionally breached passwords) — and deliberately NO
 * composition rules ("one digit, one symbol"): NIST says verifiers SHALL NOT impose them, because
 * people meet them predictably (`Password1!`) and they push users to weaker, reused passwords.
 */

export type PasswordRejection =
  | 'password.too_short'
  | 'password.too_long'
  | 'password.contains_identifier'
  | 'password.common'
  | 'password.breached';

export type PasswordCheckWarning = BreachCheckWarning;

export type PasswordCheck =
  | { ok: true; warnings: PasswordCheckWarning[] }
  | {
    ok: false;
    code: PasswordRejection;
    /** One English sentence for the person choosing the password. */
    message: string;
    params?: { minLength?: number; maxLength?: number; occurrences?: number };
    warnings: PasswordCheckWarning[];
  };

export type CheckPasswordOptions = {
  settings: PasswordPolicySettings;
  /** The account's username and email (and, if wanted, the tenant's name); empty values are skipped. */
  identifiers: readonly (string | null | undefined)[];
  /** For the breach check; defaults to the global fetch. */
  fetch?: typeof fetch;
};

/**
 * Checks the password a person chose (registration, recovery, settings). Rules run cheapest
 * first; the network is asked only about a password that passed every offline rule.
 *
 * @example
 * const result = await checkPassword(body.password, { settings: tenant.accounts.passwordPolicy, identifiers: [username, email] });
 * if (!result.ok) return showFieldError('password', result.code, result.message);
 * for (const warning of result.warnings) audit.warn(warning); // the breach check failed open
 */
export async function checkPassword(password: string, options: CheckPasswordOptions): Promise<PasswordCheck> {
  const { settings } = options;
  const normalized = normalizePassword(password);
  const length = codePointLength(normalized);
  if (length < settings.minLength) {
    return reject('password.too_short', `Use at least ${settings.minLength} characters.`, { minLength: settings.minLength });
  }
  if (length > settings.maxLength) {
    return reject('password.too_long', `Use at most ${settings.maxLength} characters.`, { maxLength: settings.maxLength });
  }
  if (settings.rejectContainingIdentifier && containsIdentifier(normalized, options.identifiers)) {
    return reject('password.contains_identifier', 'Choose a password that does not contain your username or email address.');
  }
  if (settings.rejectCommon && isTrivialPattern(normalized)) {
    return reject('password.common', 'Avoid repeated or consecutive characters like "aaaaaaaa" or "12345678": attackers try them first.');
  }
  if (settings.rejectCommon && await isCommonPassword(normalized)) {
    return reject('password.common', 'This is one of the most common passwords, so attackers try it first. Choose another.');
  }
  if (!settings.breachCheck.enabled) return { ok: true, warnings: [] };
  const breach = await checkBreached(normalized, {
    url: settings.breachCheck.url, timeoutMs: settings.breachCheck.timeoutMs, fetch: options.fetch,
  });
  if (breach.breached) {
    return reject('password.breached', 'This password has appeared in a data breach, so attackers try it first. Choose another.',
      { occurrences: breach.occurrences });
  }
  return { ok: true, warnings: breach.warning ? [breach.warning] : [] };
}

function reject(code: PasswordRejection, message: string, params?: { minLength?: number; maxLength?: number; occurrences?: number }): PasswordCheck {
  return params ? { ok: false, code, message, params, warnings: [] } : { ok: false, code, message, warnings: [] };
}
