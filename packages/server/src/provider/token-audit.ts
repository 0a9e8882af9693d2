import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditWriter } from '../audit/audit-writer.js';

interface Issued {
  jti?: string;
  accountId?: string;
  clientId?: string;
  aud?: string | string[];
  resourceServer?: { audience?: string | string[] };
  consumed?: unknown;
}

/** The correlation id the HTTP layer assigned to this request. */
export function correlationIdOf(ctx: KoaContextWithOIDC): string | undefined {
  return (ctx.req as { correlationId?: string }).correlationId;
}

/**
 * Token-endpoint audit, as a Koa middleware around oidc-provider's routes: every issued
 * token (its id, client, subject, audience and grant type — never the token) and every
 * refresh-token reuse is recorded before the response leaves. OAuth error bodies gain a
 * `correlation_id` member (as Entra ID's do) so a user's report can be matched to logs.
 */
export function createTokenAudit(tenantId: string, audit: AuditWriter) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    const tracked = ctx.method === 'POST' && ctx.path === '/token';
    if (tracked) audit.enter();
    try {
      await next();
      await recordOutcome(ctx);
    } finally {
      if (tracked) audit.leave();
    }
  };

  async function recordOutcome(ctx: KoaContextWithOIDC): Promise<void> {
    const correlationId = correlationIdOf(ctx);
    const body = ctx.body as Record<string, unknown> | undefined;
    if (body && typeof body === 'object' && typeof body.error === 'string' && correlationId) {
      body.correlation_id = correlationId;
    }
    if (ctx.oidc?.route !== 'token') return;
    const entities = ctx.oidc.entities as Record<string, Issued | undefined>;
    const grantType = String(ctx.oidc.params?.grant_type ?? '');
    if (ctx.status === 200) {
      const token = entities.ClientCredentials ?? entities.AccessToken;
      if (!token) return;
      await audit.write({
        tenantId,
        type: 'token.issued',
        actor: token.clientId ?? null,
        subject: token.accountId ?? token.clientId ?? null,
        clientId: token.clientId ?? null,
        correlationId,
        data: {
          jti: token.jti,
          grantType,
          audience: token.resourceServer?.audience ?? token.aud ?? null,
          refreshTokenIssued: Boolean(entities.RefreshToken && entities.RefreshToken !== entities.RotatedRefreshToken),
        },
      });
    } else if (body?.error === 'invalid_grant' && grantType === 'refresh_token' && entities.RefreshToken?.consumed) {
      const token = entities.RefreshToken;
      await audit.write({
        tenantId,
        type: 'refresh_token.reuse_detected',
        outcome: 'failure',
        actor: token.clientId ?? null,
        subject: token.accountId ?? null,
        clientId: token.clientId ?? null,
        correlationId,
        data: { action: 'grant revoked', grantId: (token as { grantId?: string }).grantId ?? null },
      });
    }
  }
}
