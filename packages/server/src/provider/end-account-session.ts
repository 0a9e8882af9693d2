import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { AccountSessionRepository } from '../db/repositories/account-sessions.js';
import { SESSION_COOKIE } from '../experience/account-context.js';
import { readCookie, sessionCookie } from '../experience/cookies.js';

/**
 * Ends Tessera's account session (the `tessera_session` cookie) when the user confirms an
 * RP-initiated logout. oidc-provider ends only its own session; the sign-in pages would
 * otherwise sign the next authorization request in again from the account session (single
 * sign-on), and the logout would be void (OWASP Session Management: logout invalidates the
 * session on the server). The row is revoked, the cookie cleared and `session.ended` audited.
 */
export function createEndAccountSession(options: {
  tenantId: string; sessions: AccountSessionRepository; audit: AuditWriter; cookiePath: string; secureCookies: boolean;
}) {
  const { tenantId, sessions, audit } = options;
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'end_session_confirm' || ctx.status !== 303 || !ctx.oidc.params?.logout) return;
    const token = readCookie(ctx.get('cookie'), SESSION_COOKIE);
    if (!token) return;
    const now = new Date();
    const session = await sessions.findActive(tenantId, token, now);
    ctx.append('Set-Cookie', sessionCookie({ name: SESSION_COOKIE, value: '', path: options.cookiePath, secure: options.secureCookies, maxAgeSeconds: 0 }));
    if (!session) return;
    await sessions.revoke(session.id, now);
    await audit.write({
      tenantId, type: 'session.ended', actor: session.userId, subject: session.userId,
      clientId: ctx.oidc.client?.clientId ?? null, correlationId: (ctx.req as { correlationId?: string }).correlationId,
      data: { reason: 'rp_initiated_logout', sessionId: session.id },
    });
  };
}
