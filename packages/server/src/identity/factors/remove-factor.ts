import { recordAuditEvent } from '../../audit/audit-log.js';
import { createFactorRepository, type StoredFactorKind } from '../../db/repositories/factors.js';
import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { textFor, type PageKey } from '../flows/flow-text.js';
import type { ManageResult } from './factor-manager.js';

/**
 * Removes one of the user's enrolled factors of `kind` (an authenticator app, a passkey, a phone)
 * with its `mfa.removed` audit event in the same transaction; 404 when the id is not theirs.
 * The security flow has already checked the fresh sign-in and the last-strong-factor rule.
 */
export async function removeFactor(ctx: RequestContext, user: User, kind: StoredFactorKind, method: string, id: string | undefined,
  removed: PageKey): Promise<ManageResult> {
  const text = textFor(ctx);
  const factor = id ? await createFactorRepository(ctx.deps.db).find(ctx.tenant.id, user.id, id) : undefined;
  if (!factor || factor.kind !== kind) return { status: 404, messages: [text.error('mfa.factor_not_found')] };
  await ctx.deps.db.transaction().execute(async (trx) => {
    await createFactorRepository(trx).delete(ctx.tenant.id, user.id, factor.id);
    await recordAuditEvent(trx, { tenantId: ctx.tenant.id, type: 'mfa.removed', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
      data: { method, factorId: factor.id, ip: ctx.ip } });
  });
  return { status: 200, messages: [text.success(removed)] };
}
