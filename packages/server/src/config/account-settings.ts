import { z } from 'zod';
import { MailSettingsSchema } from '../mail/mail-settings.js';
import { MfaSettingsSchema } from './mfa-settings.js';
import { PasswordPolicySettingsSchema } from '../security/password-policy/password-policy-settings.js';
import { LimitSettingsSchema } from '../security/rate-limits/limit-settings.js';

export const SIGN_IN_IDENTIFIERS = ['username', 'email'] as const;
export type SignInIdentifier = (typeof SIGN_IN_IDENTIFIERS)[number];

/**
 * Per-tenant account settings (the `accounts:` block of a tenant in the configuration file,
 * stored in `tenants.account_settings`). Every field has a default, documented in
 * docs/accounts.md; `{}` is a complete, secure configuration.
 */
export const AccountSettingsSchema = z.strictObject({
  /** Anyone may create an account on the register page (Auth0's database-connection default). */
  selfRegistration: z.boolean().default(true),
  /** An account whose email is not verified cannot sign in (stricter than Auth0's default). */
  requireVerifiedEmail: z.boolean().default(true),
  /** What users may type in "Username or email". */
  signInIdentifiers: z.array(z.enum(SIGN_IN_IDENTIFIERS)).min(1).default(['username', 'email'])
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an identifier'),
  /** Lifetimes of emailed links and codes (seconds). */
  verificationLinkLifetime: z.number().int().min(300).max(7 * 86_400).default(86_400),
  recoveryLinkLifetime: z.number().int().min(300).max(86_400).default(900),
  /** Lifetime of an account session (the account pages and the flows API), seconds. */
  sessionLifetime: z.number().int().min(300).max(90 * 86_400).default(14 * 86_400),
  passwordPolicy: PasswordPolicySettingsSchema.prefault({}),
  limits: LimitSettingsSchema.prefault({}),
  mail: MailSettingsSchema.prefault({}),
  /** Multi-factor and passwordless sign-in (docs/mfa.md). */
  mfa: MfaSettingsSchema.prefault({}),
});

export type AccountSettings = z.infer<typeof AccountSettingsSchema>;
/** What a configuration file may say: any subset. */
export type AccountSettingsInput = z.input<typeof AccountSettingsSchema>;

export const DEFAULT_ACCOUNT_SETTINGS: AccountSettings = AccountSettingsSchema.parse({});

/** Reads stored settings; a row written by an older version still parses (unknown keys are an error only in files). */
export function readAccountSettings(stored: unknown): AccountSettings {
  const parsed = AccountSettingsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DEFAULT_ACCOUNT_SETTINGS;
}
