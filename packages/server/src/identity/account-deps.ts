import type { AuditEvent } from '../audit/audit-log.js';
import type { AccountSettings } from '../config/account-settings.js';
import type { ApplicationMfa } from '../config/mfa-settings.js';
import type { Db } from '../db/database.js';
import type { AccountSession } from '../db/repositories/account-sessions.js';
import type { Tenant } from '../db/repositories/tenants.js';
import type { MailSettings } from '../mail/mail-settings.js';
import type { MailTemplateName } from '../mail/mail-templates.js';
import type { LimitSettings } from '../security/rate-limits/limit-settings.js';
import type { PasswordPolicySettings } from '../security/password-policy/password-policy-settings.js';
import type { SmsSender } from '../sms/sms-sender.js';

/**
 * What the account flows need from the rest of the server, as narrow ports: hashing, mail,
 * abuse limits, the password policy and the audit log. The server wires the real ones
 * (server/account-services.ts); nothing here knows about HTTP.
 */
export interface PasswordHashing {
  hash(password: string): Promise<string>;
  verifyAndUpdate(password: string, hash: string): Promise<{ valid: boolean; newHash?: string | undefined }>;
  verifyNothing(password: string): Promise<false>;
}

export type MailTemplate = MailTemplateName;

export interface MailSender {
  send(message: { tenantId: string | null; to: string; template: MailTemplate; locale?: string | undefined; settings: MailSettings;
    variables: Record<string, string> }): Promise<void>;
}

export type Gate = { allowed: true; clean?: boolean } | { allowed: false; reason: 'delayed' | 'blocked' | 'ip_throttled'; retryAfterSeconds: number };
export type Quota = { allowed: true } | { allowed: false; retryAfterSeconds: number };
export type QuotaName = 'registrationPerIp' | 'registrationPerEmail' | 'recoveryPerIp' | 'recoveryPerEmail' | 'verificationPerEmail';

export interface AbuseLimits {
  checkSignIn(tenantId: string, limits: LimitSettings, accountKey: string, ip: string): Promise<Gate>;
  recordSignInFailure(tenantId: string, limits: LimitSettings, accountKey: string, ip: string): Promise<{ blockedNow: boolean; failures: number }>;
  recordSignInSuccess(tenantId: string, limits: LimitSettings, accountKey: string, ip: string): Promise<void>;
  unblockAccount(tenantId: string, accountKey: string): Promise<void>;
  consume(tenantId: string, limit: QuotaName, limits: LimitSettings, key: string): Promise<Quota>;
}

/** A refusal carries its code (the key of its text in the `pages` catalog), English text, and the numbers the text names. */
export type PolicyResult = { ok: true; warning?: string | undefined }
  | { ok: false; code: string; message: string; params?: Readonly<Record<string, number>> | undefined };

export type PasswordPolicyCheck = (password: string, options: { settings: PasswordPolicySettings; identifiers: (string | null | undefined)[] })
  => Promise<PolicyResult>;

export interface AccountDeps {
  db: Db;
  hashing: PasswordHashing;
  mail: MailSender;
  /** Text messages for SMS codes: an HTTP provider, or the development outbox (src/sms). */
  sms: SmsSender;
  limits: AbuseLimits;
  checkPassword: PasswordPolicyCheck;
  /** Audit events outside a transaction (sign-in attempts); changes record theirs in their own transaction. */
  audit: { write(event: AuditEvent): Promise<void>; writeAll(events: AuditEvent[]): Promise<void> };
  clock: () => Date;
  /** Public base URL without a trailing slash; links in mails are `${publicUrl}/${tenant}/account/...`. */
  publicUrl: string;
  /**
   * The server's master key (32 bytes): seals TOTP secrets at rest (AES-256-GCM) and signs
   * "remember this device" cookies (HMAC-SHA-256), each under its own derived key.
   */
  secretKey: Buffer;
  /** Where mail sending failures are reported: they must never change what the user sees (no enumeration). */
  warn(message: string, error?: unknown): void;
}

/** One request's view: the tenant, its settings, the caller's address, and the session if signed in. */
export interface RequestContext {
  deps: AccountDeps;
  tenant: Tenant;
  settings: AccountSettings;
  ip: string;
  userAgent?: string | undefined;
  /** The mail recipient's language when known (mail falls back to the tenant's `mail.defaultLocale`). */
  locale?: string | undefined;
  /** The language negotiated from Accept-Language for what the requester reads: flow messages, labels, pages. */
  uiLocale?: string | undefined;
  correlationId: string;
  session?: AccountSession | undefined;
  /** The "remember this device" cookie, when the browser sent one (identity/factors/remembered-device.ts). */
  deviceCookie?: string | undefined;
  /** The browser-binding cookie of emailed sign-in links, on pages (identity/factors/email-link.ts). */
  linkBinding?: string | undefined;
  now: Date;
  /** An application's own MFA policy (identity/factors/assurance.ts mfaFor); absent: the tenant's applies. */
  applicationMfa?: ((clientId: string) => Promise<ApplicationMfa | null | undefined>) | undefined;
}
