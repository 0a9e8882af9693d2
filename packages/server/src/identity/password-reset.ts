import { recordAuditEvent } from '../audit/audit-log.js';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import { createAccountTokenRepository } from '../db/repositories/account-tokens.js';
import { createRememberedDeviceRepository } from '../db/repositories/factors.js';
import { createUserRepository, type User } from '../db/repositories/users.js';
import type { Db } from '../db/database.js';
import type { PolicyResult, RequestContext } from './account-deps.js';
import { accountKeyFor, sendMail, displayName } from './account-links.js';

/** Checks a new password against the tenant's policy, with the user's identifiers. */
export function checkNewPassword(ctx: RequestContext, user: Pick<User, 'username' | 'email'>, password: string): Promise<PolicyResult> {
  return ctx.deps.checkPassword(password, { settings: ctx.settings.passwordPolicy, identifiers: [user.username, user.email] });
}

/**
 * Replaces a user's password inside the caller's transaction: new hash, new security stamp, every
 * account session and outstanding link revoked (ASVS V2.5.x, V3.3.3). `emailProven` marks the
 * address verified (a reset link or code proves control of the mailbox).
 */
export async function replacePassword(trx: Db, ctx: RequestContext, user: User, passwordHash: string,
  options: { type: 'user.password_reset' | 'user.password_changed'; emailProven?: boolean; keepSessionId?: string }): Promise<void> {
  await createUserRepository(trx).setPasswordHash(user.id, passwordHash);
  if (options.emailProven && user.email && !user.emailVerified) await createUserRepository(trx).update(user.id, { emailVerified: true });
  await createAccountSessionRepository(trx).revokeAllForUser(user.id, ctx.now);
  // A new password also forgets remembered devices: the next sign-in asks for the second factor again.
  const forgotten = await createRememberedDeviceRepository(trx).revoke(ctx.tenant.id, user.id, ctx.now);
  if (forgotten) await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'device.forgotten', actor: user.id, subject: user.id,
    correlationId: ctx.correlationId, data: { count: forgotten, reason: options.type } });
  await createAccountTokenRepository(trx).revokeForUser(user.id, ['reset_password', 'reset_code', 'unblock', 'verify_email', 'verify_code', 'change_email'], ctx.now);
  await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: options.type, actor: user.id, subject: user.id,
    correlationId: ctx.correlationId, data: { ip: ctx.ip } });
}

/** After a password change: lift brute-force blocks (a reset is one way to unblock) and tell the owner. */
export async function afterPasswordChange(ctx: RequestContext, user: User): Promise<void> {
  await ctx.deps.limits.unblockAccount(ctx.tenant.id, accountKeyFor(user, ''));
  if (user.email) void sendMail(ctx, user.email, 'password-changed', { userName: displayName(user), ip: ctx.ip });
}
