import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { auditEventsInsert, type AuditEvent } from '../../audit/audit-log.js';
import type { Db } from '../database.js';
import { DELETE_BATCH_ROWS, deleteBatch } from '../delete-batch.js';
import { hashAccountToken } from './account-tokens.js';

export interface AccountSession {
  id: string;
  tenantId: string;
  userId: string;
  amr: string[];
  authenticatedAt: Date;
  expiresAt: Date;
}

/**
 * Account sessions: the signed-in state of the account pages (an HttpOnly cookie) and of the
 * flows API (a bearer session token). Only the token's hash is stored. A session is void when
 * revoked, expired, or made under an older security stamp (password or email changed since).
 */
export function createAccountSessionRepository(db: Db) {
  return {
    /**
     * Inserts a session. With `signedIn`, the same statement stamps the user's `last_sign_in_at`;
     * `audit` rows go in it too (data-modifying CTEs), so the session, the sign-in time and their
     * audit record commit together, and a sign-in costs one statement where it took three.
     */
    async insert(input: { tenantId: string; userId: string; securityStamp: string; amr: string[]; now: Date; lifetimeSeconds: number;
      ip?: string | undefined; userAgent?: string | undefined; signedIn?: boolean; audit?: AuditEvent[] }): Promise<{ token: string; session: AccountSession }> {
      const token = randomBytes(32).toString('base64url');
      const id = randomUUID();
      const expiresAt = new Date(input.now.getTime() + input.lifetimeSeconds * 1000);
      // One statement text whatever the options (one prepared statement): without `signedIn` the
      // update matches no row, without `audit` the insert has no rows.
      await db
        .with('new_session', (q) => q.insertInto('account_sessions').values({
          id, tenant_id: input.tenantId, user_id: input.userId, token_hash: hashAccountToken(token), security_stamp: input.securityStamp,
          amr: JSON.stringify(input.amr), authenticated_at: input.now, expires_at: expiresAt,
          ip: input.ip?.slice(0, 100) ?? null, user_agent: input.userAgent?.slice(0, 500) ?? null,
        }))
        .with('signed_in', (q) => q.updateTable('users').set({ last_sign_in_at: input.now })
          .where('id', '=', input.userId).where(sql<boolean>`${input.signedIn === true}`))
        // A raw CTE body goes out as written, so it brings its own parentheses.
        .with('audit', () => sql<Record<string, never>>`(${auditEventsInsert(input.audit ?? [])})`)
        .selectNoFrom(sql<number>`1`.as('done'))
        .execute();
      return { token, session: { id, tenantId: input.tenantId, userId: input.userId, amr: input.amr, authenticatedAt: input.now, expiresAt } };
    },
    /** The live session for a token, checked against the user's current security stamp. */
    async findActive(tenantId: string, token: string, now: Date): Promise<AccountSession | undefined> {
      if (token.length > 200) return undefined;
      const row = await db.selectFrom('account_sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['s.id', 's.tenant_id', 's.user_id', 's.amr', 's.authenticated_at', 's.expires_at'])
        .where('s.tenant_id', '=', tenantId).where('s.token_hash', '=', hashAccountToken(token))
        .where('s.revoked_at', 'is', null).where('s.expires_at', '>', now)
        .whereRef('s.security_stamp', '=', 'u.security_stamp').where('u.disabled', '=', false)
        .executeTakeFirst();
      return row && {
        id: row.id, tenantId: row.tenant_id, userId: row.user_id, amr: row.amr as string[],
        authenticatedAt: new Date(row.authenticated_at), expiresAt: new Date(row.expires_at),
      };
    },
    async revoke(id: string, now: Date): Promise<void> {
      await db.updateTable('account_sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    /** The user's live sessions, newest first (for `tessera users sessions`). */
    async listActive(userId: string, now: Date): Promise<(AccountSession & { ip: string | null; userAgent: string | null; createdAt: Date })[]> {
      const rows = await db.selectFrom('account_sessions as s').innerJoin('users as u', 'u.id', 's.user_id')
        .select(['s.id', 's.tenant_id', 's.user_id', 's.amr', 's.authenticated_at', 's.expires_at', 's.ip', 's.user_agent', 's.created_at'])
        .where('s.user_id', '=', userId).where('s.revoked_at', 'is', null).where('s.expires_at', '>', now)
        .whereRef('s.security_stamp', '=', 'u.security_stamp')
        .orderBy('s.created_at', 'desc').execute();
      return rows.map((row) => ({
        id: row.id, tenantId: row.tenant_id, userId: row.user_id, amr: row.amr as string[], authenticatedAt: new Date(row.authenticated_at),
        expiresAt: new Date(row.expires_at), ip: row.ip, userAgent: row.user_agent, createdAt: new Date(row.created_at),
      }));
    },
    async revokeAllForUser(userId: string, now: Date): Promise<void> {
      await db.updateTable('account_sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
    },
    /** Deletes up to `limit` expired sessions (revoked ones too, once expired); returns how many. */
    sweep(now: Date, limit = DELETE_BATCH_ROWS): Promise<number> {
      return deleteBatch(db, 'account_sessions', (eb) => eb('expires_at', '<', now), limit);
    },
  };
}

export type AccountSessionRepository = ReturnType<typeof createAccountSessionRepository>;
