import { z } from 'zod';

/**
 * Per-tenant password policy after NIST SP 800-63B §5.1.1.2: a minimum length, a high maximum,
 * no composition rules, and a check against common and breached passwords. Lengths count Unicode
 * code points after NFKC. Documented in docs/password-policy.md.
 */
export const PasswordPolicySettingsSchema = z.strictObject({
  /** NIST: at least 8 (rev. 4: 15 when the password is the only factor). */
  minLength: z.number().int().min(8).max(128).default(8),
  /** NIST: accept at least 64; we accept at least 256 so passphrases and password managers work. */
  maxLength: z.number().int().min(256).max(4096).default(4096),
  /** Reject passwords on the shipped list of the most common passwords. */
  rejectCommon: z.boolean().default(true),
  /** Reject passwords that contain the username, the email or its local part (parts under 3 characters are ignored). */
  rejectContainingIdentifier: z.boolean().default(true),
  /** Optional online k-anonymity range check (the Pwned Passwords API shape); off by default, fail-open. */
  breachCheck: z.strictObject({
    enabled: z.boolean().default(false),
    /** The 5-character SHA-1 prefix is appended: `${url}${prefix}`. */
    url: z.url({ protocol: /^https?$/ }).default('https://api.pwnedpasswords.com/range/'),
    timeoutMs: z.number().int().min(100).max(10_000).default(1500),
  }).prefault({}),
});

export type PasswordPolicySettings = z.infer<typeof PasswordPolicySettingsSchema>;
