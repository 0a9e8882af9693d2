import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { DELETE_BATCH_ROWS, daysBefore, deleteBatch } from '../delete-batch.js';

/** What an emailed link or code is for. */
export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'unblock' | 'change_email' | 'verify_code' | 'reset_code'
  | 'signin_code' | 'signin_link' | 'sms_code';

export interface AccountToken {
  id: string;
  tenantId: string;
  userId: string;
  purpose: AccountTokenPurpose;
  securityStamp: string;
  data: Record<string, unknown>;
  expiresAt: Date;
}

/** SHA-256, hex. Link tokens carry 256 random bits, so a fast hash is right (as for client secrets). */
export function hashAccountToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A URL-safe link token: 32 random bytes. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Single-use, short-lived links and codes. Only hashes are stored (ASVS V2.5.x, V3.3.x); a token
 * is consumed by one atomic UPDATE, so a concurrent double-submit has exactly one winner.
 */
export function createAccountTokenRepository(db: Db) {
  return {
    /** Stores the hash of `secret` (a link token, or a flow-bound code) and returns the row id. */
    async insert(input: { tenantId: string; userId: string; purpose: AccountTokenPurpose; secret: string; securityStamp: string;
      expiresAt: Date; data?: Record<string, unknown> }): Promise<string> {
      const id = randomUUID();
      await db.insertInto('account_tokens').values({
        id, tenant_id: input.tenantId, user_id: input.userId, purpose: input.purpose, token_hash: hashAccountToken(input.secret),
        security_stamp: input.securityStamp, data: JSON.stringify(input.data ?? {}), expires_at: input.expiresAt,
      }).execute();
      return id;
    },
    /** An unconsumed, unexpired token, without consuming it (the page behind a link shows a form first). */
    async findUsable(tenantId: string, purpose: AccountTokenPurpose, secret: string, now: Date): Promise<AccountToken | undefined> {
      const row = await db.selectFrom('account_tokens').selectAll()
        .where('tenant_id', '=', tenantId).where('purpose', '=', purpose).where('token_hash', '=', hashAccountToken(secret))
        .where('consumed_at', 'is', null).where('expires_at', '>', now)
        .executeTakeFirst();
      return row && toToken(row);
    },
    /** Consumes the token if it is still usable; undefined when used, expired or unknown. */
    async consume(tenantId: string, purpose: AccountTokenPurpose, secret: string, now: Date): Promise<AccountToken | undefined> {
      const row = await db.updateTable('account_tokens').set({ consumed_at: now })
        .where('tenant_id', '=', tenantId).where('purpose', '=', purpose).where('token_hash', '=', hashAccountToken(secret))
        .where('consumed_at', 'is', null).where('expires_at', '>', now)
        .returningAll().executeTakeFirst();
      return row && toToken(row);
    },
    /** Voids every outstanding token of these purposes for a user (a newer link replaces older ones). */
    async revokeForUser(userId: string, purposes: AccountTokenPurpose[], now: Date): Promise<void> {
      await db.updateTable('account_tokens').set({ consumed_at: now })
        .where('user_id', '=', userId).where('purpose', 'in', purposes).where('consumed_at', 'is', null)
        .execute();
    },
    /** Deletes rows that expired a day ago or more (kept a day for "this link has expired" vs "unknown"). */
    sweep(now: Date, limit = DELETE_BATCH_ROWS): Promise<number> {
      return deleteBatch(db, 'account_tokens', (eb) => eb('expires_at', '<', daysBefore(now, 1)), limit);
    },
  };
}

type Row = { id: string; tenant_id: string; user_id: string; purpose: string; security_stamp: string; data: unknown; expires_at: Date | string };

function toToken(row: Row): AccountToken {
  return {
    id: row.id, tenantId: row.tenant_id, userId: row.user_id, purpose: row.purpose as AccountTokenPurpose,
    securityStamp: row.security_stamp, data: (row.data ?? {}) as Record<string, unknown>, expiresAt: new Date(row.expires_at),
  };
}

export type AccountTokenRepository = ReturnType<typeof createAccountTokenRepository>;
