import { recordAuditEvent } from '../audit/audit-log.js';
import { createAccountTokenRepository, type AccountToken, type AccountTokenPurpose } from '../db/repositories/account-tokens.js';
import { createUserRepository, type User } from '../db/repositories/users.js';
import type { RequestContext } from './account-deps.js';
import { flowCodeSecret } from './account-links.js';

export type TokenCheck = { ok: true; token: AccountToken; user: User } | { ok: false; code: 'link.invalid' | 'link.superseded' };

/** Consumes a link token (or a flow-bound code) and checks it still matches the user's security stamp. */
export async function consumeAccountToken(ctx: RequestContext, purpose: AccountTokenPurpose, secret: string): Promise<TokenCheck> {
  const token = await createAccountTokenRepository(ctx.deps.db).consume(ctx.tenant.id, purpose, secret, ctx.now);
  if (!token) return { ok: false, code: 'link.invalid' };
  const user = await createUserRepository(ctx.deps.db).find(ctx.tenant.id, token.userId);
  if (!user || user.disabled) return { ok: false, code: 'link.invalid' };
  // Made before the password (or email) last changed: void (ASVS V2.5.x).
  if (user.securityStamp !== token.securityStamp) return { ok: false, code: 'link.superseded' };
  return { ok: true, token, user };
}

/** Marks the address verified when the link or code was issued for the user's current address. */
export async function verifyEmail(ctx: RequestContext, check: Extract<TokenCheck, { ok: true }>): Promise<boolean> {
  const { user, token } = check;
  const email = typeof token.data.email === 'string' ? token.data.email : user.email;
  if (!user.email || !email || email.toLowerCase() !== user.email.toLowerCase()) return false;
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createUserRepository(trx).update(user.id, { emailVerified: true });
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'user.email_verified', actor: user.id, subject: user.id,
      correlationId: ctx.correlationId, data: { ip: ctx.ip } });
  });
  return true;
}

export const MAX_CODE_ATTEMPTS = 5;

/**
 * Checks a 6-digit code against the flow that asked for it. Wrong codes are counted on the flow;
 * after five the flow's codes are void, so a code cannot be guessed (10^6 / 5 odds per mail).
 */
export async function consumeFlowCode(ctx: RequestContext, flow: { id: string; data: Record<string, unknown> }, purpose: AccountTokenPurpose,
  code: string): Promise<TokenCheck | { ok: false; code: 'code.too_many_attempts' }> {
  const attempts = Number(flow.data.codeAttempts ?? 0);
  if (attempts >= MAX_CODE_ATTEMPTS) return { ok: false, code: 'code.too_many_attempts' };
  const result = await consumeAccountToken(ctx, purpose, flowCodeSecret(flow.id, code));
  if (!result.ok) flow.data.codeAttempts = attempts + 1;
  return result;
}

/** The refusals of an emailed link or code; each is a key of the `pages` catalog (src/i18n/locales/en/pages.ts). */
export type LinkRefusal = Exclude<Awaited<ReturnType<typeof consumeFlowCode>>, { ok: true }>['code'];
