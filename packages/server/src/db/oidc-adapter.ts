import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from './database.js';
import { DELETE_BATCH_ROWS, deleteBatch } from './delete-batch.js';

export interface OidcAdapterOptions {
  db: Db;
  tenantId: string;
  /**
   * Seconds during which a just-rotated refresh token is still accepted, so that a client
   * that sends the same refresh request twice at once (two tabs, a retry) is not treated as
   * a thief. Past it, reuse revokes the whole grant (OAuth 2.0 Security BCP §4.14.2).
   */
  refreshTokenReuseGraceSeconds: number;
  clock?: () => number;
}

/**
 * Stores oidc-provider's artifacts (sessions, interactions, codes, grants, refresh tokens,
 * replay-detection entries…) in the `oidc_payloads` table, with an expiry the sweeper honours.
 */
export function createOidcAdapterClass(options: OidcAdapterOptions): new (model: string) => Adapter {
  const { db, tenantId, refreshTokenReuseGraceSeconds: grace, clock = Date.now } = options;

  return class OidcAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(clock() + expiresIn * 1000) : null;
      const row = {
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        user_code: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expires_at: expiresAt,
      };
      await db.insertInto('oidc_payloads')
        .values({ tenant_id: tenantId, model: this.model, id, ...row })
        .onConflict((oc) => oc.columns(['tenant_id', 'model', 'id']).doUpdateSet(row))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('id', id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findWhere('user_code', userCode);
    }

    async consume(id: string): Promise<void> {
      const now = new Date(clock());
      const row = await db.selectFrom('oidc_payloads').select('payload')
        .where('tenant_id', '=', tenantId).where('model', '=', this.model).where('id', '=', id).executeTakeFirst();
      if (!row) return;
      await db.updateTable('oidc_payloads')
        .set({ consumed_at: now, payload: JSON.stringify({ ...row.payload, consumed: Math.floor(now.getTime() / 1000) }) })
        .where('tenant_id', '=', tenantId).where('model', '=', this.model).where('id', '=', id)
        .execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads')
        .where('tenant_id', '=', tenantId).where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('tenant_id', '=', tenantId).where('grant_id', '=', grantId).execute();
    }

    private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      // Values come from requests; PostgreSQL text cannot hold NUL, and no artifact id contains one.
      if (!isStorableText(value)) return undefined;
      const row = await db.selectFrom('oidc_payloads').select(['payload', 'expires_at', 'consumed_at'])
        .where('tenant_id', '=', tenantId).where('model', '=', this.model).where(column, '=', value)
        .executeTakeFirst();
      if (!row) return undefined;
      // An expired device code stays findable a while, so the polling device hears `expired_token`
      // (RFC 8628 §3.5) rather than `invalid_grant`; oidc-provider checks the expiry itself.
      const keptMs = this.model === 'DeviceCode' ? EXPIRED_DEVICE_CODE_KEPT_SECONDS * 1000 : 0;
      if (row.expires_at && row.expires_at.getTime() + keptMs <= clock()) return undefined;
      const payload = { ...row.payload } as AdapterPayload;
      if (this.model === 'RefreshToken' && row.consumed_at && clock() - row.consumed_at.getTime() < grace * 1000) {
        delete payload.consumed;
      }
      return payload;
    }
  };
}

/** How long an expired device code is kept to answer `expired_token`. */
export const EXPIRED_DEVICE_CODE_KEPT_SECONDS = 3600;

/** Deletes expired artifacts (device codes an hour later); run periodically by the server. Returns the number removed. */
export function sweepExpiredOidcPayloads(db: Db, now = new Date(), limit = DELETE_BATCH_ROWS): Promise<number> {
  const deviceCodesBefore = new Date(now.getTime() - EXPIRED_DEVICE_CODE_KEPT_SECONDS * 1000);
  return deleteBatch(db, 'oidc_payloads', (eb) => eb.or([
    eb.and([eb('model', '<>', 'DeviceCode'), eb('expires_at', '<', now)]),
    eb.and([eb('model', '=', 'DeviceCode'), eb('expires_at', '<', deviceCodesBefore)]),
  ]), limit);
}

/** False for strings PostgreSQL cannot store or compare as text (NUL) and absurd lengths. */
export function isStorableText(value: string): boolean {
  return value.length <= 1024 && !value.includes('\0');
}
