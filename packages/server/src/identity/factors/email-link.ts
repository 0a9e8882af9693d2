import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { createAccountTokenRepository, hashAccountToken, newLinkToken, type AccountToken } from '../../db/repositories/account-tokens.js';
import { createUserRepository, type User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { accountUrl, displayName, flowCodeSecret, sendMail } from '../account-links.js';
import { consumeAccountToken, type TokenCheck } from '../email-verification.js';

/** Emailed sign-in links and codes live 10 minutes (NIST SP 800-63B §5.1.3.1 OOB secrets: short-lived). */
export const SIGN_IN_MAIL_LIFETIME_SECONDS = 600;
/** The cookie that binds a sign-in link to the browser that asked for it. */
export const LINK_BINDING_COOKIE = 'tessera_signin_binding';
export const SIGN_IN_PURPOSES = ['signin_code', 'signin_link'] as const;

/** A random binding value for the browser that asks for a sign-in mail (256 bits). */
export function newLinkBinding(): string {
  return randomBytes(32).toString('base64url');
}

const bindingHash = (binding: string) => hashAccountToken(`signin-binding:${binding}`);

/** Whether `binding` (the request's cookie) is the one of the browser that asked for this link; constant-time (ASVS V2.9). */
export function isSameBrowser(token: Pick<AccountToken, 'data'>, binding: string | undefined): boolean {
  const stored = token.data.bindingHash;
  if (typeof stored !== 'string' || !binding) return false;
  const expected = Buffer.from(stored, 'hex');
  const given = Buffer.from(bindingHash(binding), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Mails a sign-in link and a 6-digit code for this flow, voiding older ones (a newer request
 * replaces them). Only hashes are stored; both carry the user's security stamp, so a password
 * change voids them (ASVS V2.5.x). The link remembers the asking browser's binding (when it
 * asked from the pages), its user agent and the time, for the "approve on the other device" page.
 */
export async function sendSignInMail(ctx: RequestContext, flowId: string, user: User & { email: string }): Promise<void> {
  const tokens = createAccountTokenRepository(ctx.deps.db);
  await tokens.revokeForUser(user.id, [...SIGN_IN_PURPOSES], ctx.now);
  const base = { tenantId: ctx.tenant.id, userId: user.id, securityStamp: user.securityStamp,
    expiresAt: new Date(ctx.now.getTime() + SIGN_IN_MAIL_LIFETIME_SECONDS * 1000) };
  const link = newLinkToken();
  await tokens.insert({ ...base, purpose: 'signin_link', secret: link, data: {
    flowId, requestedAt: ctx.now.toISOString(), userAgent: ctx.userAgent?.slice(0, 300) ?? null,
    ...(ctx.linkBinding ? { bindingHash: bindingHash(ctx.linkBinding) } : {}),
  } });
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await tokens.insert({ ...base, purpose: 'signin_code', secret: flowCodeSecret(flowId, code), data: { flowId } });
  await sendMail(ctx, user.email, 'signin-code', {
    link: accountUrl(ctx, 'login/link', { token: link }), code, userName: displayName(user),
    expiresInMinutes: String(SIGN_IN_MAIL_LIFETIME_SECONDS / 60), device: ctx.userAgent?.slice(0, 200) ?? '',
  });
}

/** After a sign-in by mail: the other half (code or link) of the same mail is void too. */
export async function voidSignInMail(ctx: RequestContext, userId: string): Promise<void> {
  await createAccountTokenRepository(ctx.deps.db).revokeForUser(userId, [...SIGN_IN_PURPOSES], ctx.now);
}

/** The link behind a token: usable or not, and whose it is (for the audit of a used or expired link). */
export async function findSignInLink(ctx: RequestContext, secret: string): Promise<{ usable?: AccountToken; userId?: string }> {
  const usable = await createAccountTokenRepository(ctx.deps.db).findUsable(ctx.tenant.id, 'signin_link', secret, ctx.now);
  if (usable) return { usable, userId: usable.userId };
  const row = await ctx.deps.db.selectFrom('account_tokens').select('user_id').where('tenant_id', '=', ctx.tenant.id)
    .where('purpose', '=', 'signin_link').where('token_hash', '=', hashAccountToken(secret)).executeTakeFirst();
  return row ? { userId: row.user_id } : {};
}

/** Consumes the link when it belongs to `flowId` and this request comes from the browser that asked. */
export async function consumeBoundLink(ctx: RequestContext, flowId: string, secret: string): Promise<TokenCheck> {
  const pending = await createAccountTokenRepository(ctx.deps.db).findUsable(ctx.tenant.id, 'signin_link', secret, ctx.now);
  if (!pending || pending.data.flowId !== flowId || !isSameBrowser(pending, ctx.linkBinding)) return { ok: false, code: 'link.invalid' };
  return consumeAccountToken(ctx, 'signin_link', secret);
}

/**
 * "Approve sign-in on the other device": marks the link approved, without consuming it or signing
 * this browser in. The browser that asked then completes with "Continue" (consumeApprovedLink).
 */
export async function approveLink(ctx: RequestContext, token: AccountToken): Promise<boolean> {
  const data = { ...token.data, approved: true, approvedAt: ctx.now.toISOString(), approvedFrom: { ip: ctx.ip, userAgent: ctx.userAgent?.slice(0, 300) ?? null } };
  const result = await ctx.deps.db.updateTable('account_tokens').set({ data: JSON.stringify(data) })
    .where('id', '=', token.id).where('consumed_at', 'is', null).where('expires_at', '>', ctx.now).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Consumes this flow's approved link (one atomic UPDATE), checking it still matches the user's security stamp. */
export async function consumeApprovedLink(ctx: RequestContext, flowId: string, userId: string): Promise<TokenCheck | { ok: false; code: 'not_approved' }> {
  const row = await ctx.deps.db.updateTable('account_tokens').set({ consumed_at: ctx.now })
    .where('tenant_id', '=', ctx.tenant.id).where('user_id', '=', userId).where('purpose', '=', 'signin_link')
    .where('consumed_at', 'is', null).where('expires_at', '>', ctx.now)
    .where(sql<string>`data->>'flowId'`, '=', flowId).where(sql<string>`data->>'approved'`, '=', 'true')
    .returning(['id', 'security_stamp', 'data', 'expires_at']).executeTakeFirst();
  if (!row) return { ok: false, code: 'not_approved' };
  const user = await createUserRepository(ctx.deps.db).find(ctx.tenant.id, userId);
  if (!user || user.disabled) return { ok: false, code: 'link.invalid' };
  if (user.securityStamp !== row.security_stamp) return { ok: false, code: 'link.superseded' };
  const token: AccountToken = { id: row.id, tenantId: ctx.tenant.id, userId, purpose: 'signin_link', securityStamp: row.security_stamp,
    data: (row.data ?? {}) as Record<string, unknown>, expiresAt: new Date(row.expires_at) };
  return { ok: true, token, user };
}
