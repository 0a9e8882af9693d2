import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import type { User } from '../db/repositories/users.js';
import type { RequestContext } from './account-deps.js';

/**
 * Starts an account session for a user who just proved who they are. Audited as
 * `session.created`, and, when `signIn` says how, as `signin.succeeded` with the user's
 * `last_sign_in_at` stamped: all in the statement that inserts the session, so a sign-in and
 * its record commit together (whatever the method: password, passkey, emailed code or link).
 */
export async function startSession(ctx: RequestContext, user: User, amr: string[],
  options: { clientId?: string | null; signIn?: { method: string } } = {}) {
  const base = { tenantId: ctx.tenant.id, actor: user.id, subject: user.id, clientId: options.clientId ?? null, correlationId: ctx.correlationId };
  const { token, session } = await createAccountSessionRepository(ctx.deps.db).insert({
    tenantId: ctx.tenant.id, userId: user.id, securityStamp: user.securityStamp, amr, now: ctx.now,
    lifetimeSeconds: ctx.settings.sessionLifetime, ip: ctx.ip, userAgent: ctx.userAgent, signedIn: Boolean(options.signIn),
    audit: [
      ...(options.signIn ? [{ ...base, type: 'signin.succeeded' as const, data: { method: options.signIn.method, ip: ctx.ip } }] : []),
      { ...base, type: 'session.created', data: { amr, ip: ctx.ip } },
    ],
  });
  return { token, expiresAt: session.expiresAt, userId: user.id, amr };
}

/**
 * Ends every session of a user: their account sessions and oidc-provider's own sessions (the SSO
 * state of applications' sign-ins), so no application signs them in silently afterwards.
 * Returns how many application sign-in sessions ended. Run it in the caller's transaction.
 */
export async function endAllSessions(db: Db, tenantId: string, userId: string, now: Date): Promise<number> {
  await createAccountSessionRepository(db).revokeAllForUser(userId, now);
  const result = await db.deleteFrom('oidc_payloads').where('tenant_id', '=', tenantId).where('model', '=', 'Session')
    .where(sql<string>`payload->>'accountId'`, '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
