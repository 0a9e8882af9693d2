import { z } from 'zod';

/** Factors a user may enrol or use beside the password (docs/mfa.md). */
export const FACTOR_KINDS = ['passkey', 'totp', 'recovery_code', 'email_code', 'sms_code'] as const;
export type FactorKind = (typeof FACTOR_KINDS)[number];

export const MFA_POLICIES = ['off', 'optional', 'required'] as const;
export type MfaPolicy = (typeof MFA_POLICIES)[number];

/** An AAGUID as authenticators report it: a UUID, lower case. */
const Aaguid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be an AAGUID (a lower-case UUID)');

export const PasskeySettingsSchema = z.strictObject({
  /** What the browser shows as the site's name; default: the tenant's display name. */
  rpName: z.string().min(1).max(100).optional(),
  /** Only these authenticator models may be registered (needs attestation `direct`). Empty: any. */
  allowedAaguids: z.array(Aaguid).max(500).default([]),
  /** `none` (the default: no device details asked for) or `direct` (needed to enforce allowedAaguids). */
  attestation: z.enum(['none', 'direct']).default('none'),
}).refine((passkeys) => !passkeys.allowedAaguids.length || passkeys.attestation === 'direct',
  { message: 'allowedAaguids needs attestation "direct": without it authenticators do not say their model', path: ['attestation'] });

/**
 * Multi-factor and passwordless settings of a tenant (the `accounts.mfa` block). Defaults: MFA
 * optional (users may enrol, nobody is forced), every factor but SMS allowed (SMS needs a
 * provider and is a restricted authenticator, NIST SP 800-63B §5.1.3.3), passkeys and emailed
 * codes may sign in without a password, devices are remembered for 30 days.
 */
export const MfaSettingsSchema = z.strictObject({
  policy: z.enum(MFA_POLICIES).default('optional'),
  /** Factors users may enrol and use. */
  factors: z.array(z.enum(FACTOR_KINDS)).default(['passkey', 'totp', 'recovery_code', 'email_code']),
  /** Factors that may start a sign-in on their own, without a password. */
  passwordless: z.array(z.enum(['passkey', 'email_code'])).default(['passkey', 'email_code']),
  /** "Remember this device" skips the second factor for this many days; 0 turns the option off. */
  rememberDeviceDays: z.number().int().min(0).max(365).default(30),
  /** Adding or removing a factor needs a sign-in at most this many seconds old (ASVS V2.8, V3.7.1). */
  reauthenticationMaxAge: z.number().int().min(60).max(86_400).default(300),
  passkeys: PasskeySettingsSchema.prefault({}),
});
export type MfaSettings = z.infer<typeof MfaSettingsSchema>;

/** An application's override (`mfa:` on an application): any subset of policy and factors. */
export const ApplicationMfaSchema = z.strictObject({
  policy: z.enum(MFA_POLICIES).optional(),
  factors: z.array(z.enum(FACTOR_KINDS)).optional(),
});
export type ApplicationMfa = z.infer<typeof ApplicationMfaSchema>;

/**
 * The policy for a sign-in to this application (or to the account pages, with none). An
 * application may narrow the tenant's factors, never add one the tenant does not allow.
 */
export function effectiveMfa(tenant: MfaSettings, application?: ApplicationMfa | null): MfaSettings {
  const factors = application?.factors ? application.factors.filter((kind) => tenant.factors.includes(kind)) : tenant.factors;
  return { ...tenant, ...(application?.policy ? { policy: application.policy } : {}), factors };
}
