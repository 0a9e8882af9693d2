import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import type { User } from '../db/repositories/users.js';
import type { RequestContext } from './account-deps.js';

/** Starts an account session for a user who just proved who they are; audited. */
export async function startSession(ctx: RequestContext, user: User, amr: string[], clientId?: string | null) {
  const { token, session } = await createAccountSessionRepository(ctx.deps.db).insert({
    tenantId: ctx.tenant.id, userId: user.id, securityStamp: user.securityStamp, amr, now: ctx.now,
    lifetimeSeconds: ctx.settings.sessionLifetime, ip: ctx.ip, userAgent: ctx.userAgent,
  });
  await ctx.deps.audit.write({
    tenantId: ctx.tenant.id, type: 'session.created', actor: user.id, subject: user.id, clientId: clientId ?? null,
    correlationId: ctx.correlationId, data: { amr, ip: ctx.ip },
  });
  return { token, expiresAt: session.expiresAt, userId: user.id, amr };
}
