import { randomInt } from 'node:crypto';
import { createAccountTokenRepository, newLinkToken, type AccountTokenPurpose } from '../db/repositories/account-tokens.js';
import type { User } from '../db/repositories/users.js';
import type { MailTemplate, RequestContext } from './account-deps.js';
import { normalizeUsername } from './identifiers.js';

/**
 * Emailed links and codes. Each is single-use, short-lived, stored only as a hash, and bound to
 * the user's security stamp, so a password change voids every outstanding one (ASVS V2.5.x).
 */

/** The brute-force counter key: the user id when the account exists, else the typed identifier. */
export function accountKeyFor(user: User | undefined, login: string): string {
  return user ? `user:${user.id}` : `login:${normalizeUsername(login).slice(0, 1024)}`;
}

export function accountUrl(ctx: RequestContext, path: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return `${ctx.deps.publicUrl}/${ctx.tenant.id}/account/${path}${search ? `?${search}` : ''}`;
}

const LINK_PATHS: Partial<Record<AccountTokenPurpose, string>> = {
  verify_email: 'verification/confirm',
  reset_password: 'recovery/reset',
  unblock: 'unblock',
  change_email: 'settings/email/confirm',
};

interface LinkOptions {
  purpose: AccountTokenPurpose;
  template: MailTemplate;
  to: string;
  lifetimeSeconds: number;
  data?: Record<string, unknown>;
  /** When the request came through a flow, a 6-digit code bound to that flow is mailed too (for apps without a browser). */
  codeFor?: { flowId: string; purpose: AccountTokenPurpose } | undefined;
  variables?: Record<string, string>;
}

/** Issues a link (and optionally a flow-bound code), voiding older ones of the same purpose, and mails it. */
async function issueAndSend(ctx: RequestContext, user: User, options: LinkOptions): Promise<void> {
  const tokens = createAccountTokenRepository(ctx.deps.db);
  const expiresAt = new Date(ctx.now.getTime() + options.lifetimeSeconds * 1000);
  const purposes: AccountTokenPurpose[] = options.codeFor ? [options.purpose, options.codeFor.purpose] : [options.purpose];
  await tokens.revokeForUser(user.id, purposes, ctx.now);
  const token = newLinkToken();
  const base = { tenantId: ctx.tenant.id, userId: user.id, securityStamp: user.securityStamp, expiresAt, data: options.data ?? {} };
  await tokens.insert({ ...base, purpose: options.purpose, secret: token });
  let code = '';
  if (options.codeFor) {
    code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await tokens.insert({ ...base, purpose: options.codeFor.purpose, secret: flowCodeSecret(options.codeFor.flowId, code) });
  }
  const link = accountUrl(ctx, LINK_PATHS[options.purpose] ?? '', { token });
  await sendMail(ctx, options.to, options.template, {
    link, code, expiresInMinutes: String(Math.round(options.lifetimeSeconds / 60)), userName: displayName(user), ...options.variables,
  });
}

/** The stored secret of a code: bound to its flow, so a code is worthless outside the flow that asked for it. */
export function flowCodeSecret(flowId: string, code: string): string {
  return `${flowId}:${code.replace(/\D/g, '')}`;
}

export function displayName(user: User): string {
  return user.name ?? user.username ?? '';
}

/**
 * Sends a mail; a failure is logged, never shown, so the answer to "reset my password" cannot
 * tell whether an account (or a working mailbox) exists.
 */
export async function sendMail(ctx: RequestContext, to: string, template: MailTemplate, variables: Record<string, string>): Promise<void> {
  try {
    await ctx.deps.mail.send({
      tenantId: ctx.tenant.id, to, template, locale: ctx.locale, settings: ctx.settings.mail,
      variables: { tenantName: ctx.tenant.name, ...variables },
    });
  } catch (error) {
    ctx.deps.warn(`mail ${template} could not be sent`, error);
  }
}

export function sendVerificationLink(ctx: RequestContext, user: User, email: string, flowId?: string): Promise<void> {
  return issueAndSend(ctx, user, {
    purpose: 'verify_email', template: 'verify-email', to: email, lifetimeSeconds: ctx.settings.verificationLinkLifetime,
    data: { email }, codeFor: flowId ? { flowId, purpose: 'verify_code' } : undefined,
  });
}

export function sendRecoveryLink(ctx: RequestContext, user: User, flowId?: string): Promise<void> {
  if (!user.email) return Promise.resolve();
  return issueAndSend(ctx, user, {
    purpose: 'reset_password', template: 'reset-password', to: user.email, lifetimeSeconds: ctx.settings.recoveryLinkLifetime,
    codeFor: flowId ? { flowId, purpose: 'reset_code' } : undefined,
  });
}

export function sendUnblockLink(ctx: RequestContext, user: User): Promise<void> {
  if (!user.email) return Promise.resolve();
  return issueAndSend(ctx, user, {
    purpose: 'unblock', template: 'account-blocked', to: user.email, lifetimeSeconds: ctx.settings.limits.signIn.blockSeconds,
    variables: { ip: ctx.ip },
  });
}

export function sendEmailChangeLink(ctx: RequestContext, user: User, newEmail: string): Promise<void> {
  return issueAndSend(ctx, user, {
    purpose: 'change_email', template: 'change-email', to: newEmail, lifetimeSeconds: ctx.settings.verificationLinkLifetime,
    data: { email: newEmail }, variables: { newEmail },
  });
}
