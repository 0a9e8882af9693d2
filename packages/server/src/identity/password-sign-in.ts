import { identify } from '@tessera/passwords';
import { recordAuditEvent } from '../audit/audit-log.js';
import { createUserRepository, type User } from '../db/repositories/users.js';
import type { RequestContext } from './account-deps.js';
import { accountKeyFor, sendUnblockLink } from './account-links.js';
import { MAX_IDENTIFIER_LENGTH } from './identifiers.js';

export const MAX_PASSWORD_LENGTH = 4096;

export type SignInResult =
  | { ok: true; user: User }
  /** Unknown account, wrong password, or no password: one answer for all (no user enumeration, ASVS V2.2.x). */
  | { ok: false; reason: 'invalid_credentials'; user?: User | undefined }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number; gate: 'delayed' | 'blocked' | 'ip_throttled' }
  /** Only said after the right password: the state is the user's own business then. */
  | { ok: false; reason: 'disabled' | 'unverified'; user: User };

/**
 * Password sign-in as a list of small steps: gate on the brute-force limits, verify (always one
 * hash verification, so time does not tell whether the account exists), count the outcome, check
 * the account state, and upgrade a legacy or weaker hash in the same transaction as the sign-in.
 */
export async function signInWithPassword(ctx: RequestContext, login: string, password: string, clientId?: string | null): Promise<SignInResult> {
  const { deps, tenant, settings } = ctx;
  const users = createUserRepository(deps.db);
  const user = login.length > MAX_IDENTIFIER_LENGTH ? undefined : await users.findForSignIn(tenant.id, login, settings.signInIdentifiers);
  const accountKey = accountKeyFor(user, login);
  const auditBase = { tenantId: tenant.id, clientId: clientId ?? null, correlationId: ctx.correlationId };

  const gate = await deps.limits.checkSignIn(tenant.id, settings.limits, accountKey, ctx.ip);
  if (!gate.allowed) {
    await deps.audit.write({ ...auditBase, type: 'signin.throttled', outcome: 'failure', subject: user?.id ?? null,
      data: { gate: gate.reason, retryAfterSeconds: gate.retryAfterSeconds, ip: ctx.ip } });
    return { ok: false, reason: 'throttled', retryAfterSeconds: gate.retryAfterSeconds, gate: gate.reason };
  }

  const verified = user?.passwordHash
    ? await deps.hashing.verifyAndUpdate(password, user.passwordHash)
    : { valid: await deps.hashing.verifyNothing(password) };
  if (!user || !verified.valid) {
    const counted = await deps.limits.recordSignInFailure(tenant.id, settings.limits, accountKey, ctx.ip);
    await deps.audit.write({ ...auditBase, type: 'signin.failed', outcome: 'failure', actor: user?.id ?? null, subject: user?.id ?? null,
      data: { reason: !user ? 'unknown_identifier' : user.passwordHash ? 'wrong_password' : 'no_password', method: 'password',
        failures: counted.failures, ip: ctx.ip } });
    if (counted.blockedNow) {
      await deps.audit.write({ ...auditBase, type: 'signin.blocked', outcome: 'failure', subject: user?.id ?? null,
        data: { ip: ctx.ip, failures: counted.failures, blockSeconds: settings.limits.signIn.blockSeconds } });
      if (user?.email) await sendUnblockLink(ctx, user);
    }
    return { ok: false, reason: 'invalid_credentials', user };
  }

  if (user.disabled) return refuse(ctx, user, 'disabled', auditBase);
  if (settings.requireVerifiedEmail && user.email && !user.emailVerified) return refuse(ctx, user, 'unverified', auditBase);

  // Nothing to clear after a clean first try, the usual case: that saves three statements per sign-in.
  if (!gate.clean) await deps.limits.recordSignInSuccess(tenant.id, settings.limits, accountKey, ctx.ip);
  // `last_sign_in_at` is stamped when the session starts (identity/sessions.ts), after any second factor.
  if (!verified.newHash) return { ok: true, user };
  // A legacy or weaker hash is replaced, with its audit record, in one transaction.
  const newHash = verified.newHash;
  await deps.db.transaction().execute(async (trx) => {
    await createUserRepository(trx).setPasswordHash(user.id, newHash, { rehash: true });
    await recordAuditEvent(trx, { ...auditBase, type: 'user.password_rehashed', actor: user.id, subject: user.id,
      data: { from: schemeName(user.passwordHash), to: schemeName(newHash) } });
  });
  return { ok: true, user };
}

async function refuse(ctx: RequestContext, user: User, reason: 'disabled' | 'unverified', auditBase: object): Promise<SignInResult> {
  await ctx.deps.audit.write({ ...auditBase, tenantId: ctx.tenant.id, type: 'signin.failed', outcome: 'failure', actor: user.id,
    subject: user.id, data: { reason, method: 'password', ip: ctx.ip } });
  return { ok: false, reason, user };
}

/** The scheme of a stored hash for the audit log (never the hash itself). */
function schemeName(hash: string | null): string {
  return hash ? identify(hash) ?? 'unknown' : 'none';
}
