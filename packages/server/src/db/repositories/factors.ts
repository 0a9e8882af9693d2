import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { DELETE_BATCH_ROWS, daysBefore, deleteBatch } from '../delete-batch.js';

export type StoredFactorKind = 'totp' | 'passkey' | 'sms';

export interface UserFactor {
  id: string;
  tenantId: string;
  userId: string;
  kind: StoredFactorKind;
  name: string;
  secret: string | null;
  credentialId: string | null;
  publicKey: string | null;
  counter: number;
  lastStep: number | null;
  data: Record<string, unknown>;
  confirmed: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

type Row = {
  id: string; tenant_id: string; user_id: string; kind: string; name: string; secret: string | null; credential_id: string | null;
  public_key: string | null; counter: string | number; last_step: string | number | null; data: unknown; confirmed: boolean;
  created_at: Date | string; last_used_at: Date | string | null;
};

function toFactor(row: Row): UserFactor {
  return {
    id: row.id, tenantId: row.tenant_id, userId: row.user_id, kind: row.kind as StoredFactorKind, name: row.name, secret: row.secret,
    credentialId: row.credential_id, publicKey: row.public_key, counter: Number(row.counter),
    lastStep: row.last_step === null ? null : Number(row.last_step), data: (row.data ?? {}) as Record<string, unknown>,
    confirmed: row.confirmed, createdAt: new Date(row.created_at), lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  };
}

/**
 * Enrolled factors: TOTP authenticators, passkeys, SMS phones. Consuming a TOTP step and moving
 * a passkey's counter are single conditional UPDATEs, so a replayed code or a cloned
 * authenticator loses the race by construction.
 */
export function createFactorRepository(db: Db) {
  return {
    async insert(input: { id?: string; tenantId: string; userId: string; kind: StoredFactorKind; name: string; secret?: string | null;
      credentialId?: string | null; publicKey?: string | null; counter?: number; data?: Record<string, unknown>; confirmed: boolean; now: Date }): Promise<UserFactor> {
      const row = await db.insertInto('user_factors').values({
        id: input.id ?? randomUUID(), tenant_id: input.tenantId, user_id: input.userId, kind: input.kind, name: input.name.slice(0, 100),
        secret: input.secret ?? null, credential_id: input.credentialId ?? null, public_key: input.publicKey ?? null, counter: input.counter ?? 0,
        data: JSON.stringify(input.data ?? {}), confirmed: input.confirmed, created_at: input.now,
      }).returningAll().executeTakeFirstOrThrow();
      return toFactor(row);
    },
    async find(tenantId: string, userId: string, id: string): Promise<UserFactor | undefined> {
      const row = await db.selectFrom('user_factors').selectAll()
        .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return row && toFactor(row);
    },
    /** A user's factors, oldest first; confirmed ones only unless asked. */
    async listForUser(tenantId: string, userId: string, options: { kind?: StoredFactorKind; includePending?: boolean } = {}): Promise<UserFactor[]> {
      let query = db.selectFrom('user_factors').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId);
      if (options.kind) query = query.where('kind', '=', options.kind);
      if (!options.includePending) query = query.where('confirmed', '=', true);
      return (await query.orderBy('created_at').orderBy('id').execute()).map(toFactor);
    },
    /** The kinds of factor the user has confirmed: one query, for "must this user pass a second factor?" on every sign-in. */
    async confirmedKinds(tenantId: string, userId: string): Promise<Set<StoredFactorKind>> {
      const rows = await db.selectFrom('user_factors').select('kind').distinct()
        .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('confirmed', '=', true).execute();
      return new Set(rows.map((row) => row.kind as StoredFactorKind));
    },
    async findByCredentialId(tenantId: string, credentialId: string): Promise<UserFactor | undefined> {
      const row = await db.selectFrom('user_factors').selectAll()
        .where('tenant_id', '=', tenantId).where('credential_id', '=', credentialId).where('kind', '=', 'passkey').executeTakeFirst();
      return row && toFactor(row);
    },
    async confirm(id: string, patch: { name?: string; data?: Record<string, unknown> } = {}): Promise<void> {
      await db.updateTable('user_factors').set({ confirmed: true, ...(patch.name ? { name: patch.name.slice(0, 100) } : {}),
        ...(patch.data ? { data: JSON.stringify(patch.data) } : {}) }).where('id', '=', id).execute();
    },
    async rename(id: string, name: string): Promise<void> {
      await db.updateTable('user_factors').set({ name: name.slice(0, 100) }).where('id', '=', id).execute();
    },
    /**
     * Accepts TOTP time step `step` once: true only if it is newer than the last one accepted
     * (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP").
     */
    async consumeStep(id: string, step: number, now: Date): Promise<boolean> {
      const result = await db.updateTable('user_factors').set({ last_step: step, last_used_at: now })
        .where('id', '=', id).where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)])).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    /**
     * Moves a passkey's signature counter forward. A counter that did not grow (when the
     * authenticator keeps one: non-zero) means a cloned authenticator (WebAuthn §6.1.1): false.
     */
    async advanceCounter(id: string, counter: number, now: Date): Promise<boolean> {
      let query = db.updateTable('user_factors').set({ counter, last_used_at: now }).where('id', '=', id);
      if (counter > 0) query = query.where('counter', '<', counter);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async touch(id: string, now: Date): Promise<void> {
      await db.updateTable('user_factors').set({ last_used_at: now }).where('id', '=', id).execute();
    },
    async delete(tenantId: string, userId: string, id: string): Promise<boolean> {
      const result = await db.deleteFrom('user_factors').where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    /** Drops enrolments that were never confirmed, a day after they began. */
    sweepPending(now: Date, limit = DELETE_BATCH_ROWS): Promise<number> {
      return deleteBatch(db, 'user_factors', (eb) => eb.and([eb('confirmed', '=', false), eb('created_at', '<', daysBefore(now, 1))]), limit);
    },
  };
}

/** SHA-256 of a recovery code bound to its user, hex: the codes carry 80 random bits, so a fast hash is right. */
export function hashRecoveryCode(userId: string, code: string): string {
  return createHash('sha256').update(`${userId}:${code}`).digest('hex');
}

/** Single-use recovery codes: replaced as a set, consumed one at a time by an atomic UPDATE. */
export function createRecoveryCodeRepository(db: Db) {
  return {
    /** Replaces the user's codes with these (plain codes in, hashes stored). Run in the caller's transaction. */
    async replace(tenantId: string, userId: string, codes: string[], now: Date): Promise<void> {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (!codes.length) return;
      await db.insertInto('recovery_codes').values(codes.map((code) => ({
        id: randomUUID(), tenant_id: tenantId, user_id: userId, code_hash: hashRecoveryCode(userId, code), created_at: now,
      }))).execute();
    },
    async consume(userId: string, code: string, now: Date): Promise<boolean> {
      const result = await db.updateTable('recovery_codes').set({ used_at: now })
        .where('user_id', '=', userId).where('code_hash', '=', hashRecoveryCode(userId, code)).where('used_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async counts(userId: string): Promise<{ total: number; unused: number }> {
      const row = await db.selectFrom('recovery_codes')
        .select([sql<number>`count(*)::int`.as('total'), sql<number>`count(*) filter (where used_at is null)::int`.as('unused')])
        .where('user_id', '=', userId).executeTakeFirstOrThrow();
      return { total: Number(row.total), unused: Number(row.unused) };
    },
  };
}

export interface RememberedDevice { id: string; userId: string; userAgent: string | null; createdAt: Date; expiresAt: Date; lastUsedAt: Date | null }

/** "Remember this device": the cookie's token is stored as a hash, and each grant can be revoked. */
export function createRememberedDeviceRepository(db: Db) {
  const toDevice = (row: { id: string; user_id: string; user_agent: string | null; created_at: Date | string; expires_at: Date | string;
    last_used_at: Date | string | null }): RememberedDevice => ({
    id: row.id, userId: row.user_id, userAgent: row.user_agent, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
  });
  return {
    async insert(input: { id: string; tenantId: string; userId: string; tokenHash: string; userAgent?: string | undefined; now: Date; expiresAt: Date }): Promise<void> {
      await db.insertInto('remembered_devices').values({
        id: input.id, tenant_id: input.tenantId, user_id: input.userId, token_hash: input.tokenHash, user_agent: input.userAgent?.slice(0, 500) ?? null,
        created_at: input.now, expires_at: input.expiresAt,
      }).execute();
    },
    /** The live grant with this token hash for this user, marking it used. */
    async use(tenantId: string, userId: string, tokenHash: string, now: Date): Promise<RememberedDevice | undefined> {
      const row = await db.updateTable('remembered_devices').set({ last_used_at: now })
        .where('tenant_id', '=', tenantId).where('user_id', '=', userId).where('token_hash', '=', tokenHash)
        .where('revoked_at', 'is', null).where('expires_at', '>', now).returningAll().executeTakeFirst();
      return row && toDevice(row);
    },
    async listActive(tenantId: string, userId: string, now: Date): Promise<RememberedDevice[]> {
      const rows = await db.selectFrom('remembered_devices').selectAll().where('tenant_id', '=', tenantId).where('user_id', '=', userId)
        .where('revoked_at', 'is', null).where('expires_at', '>', now).orderBy('created_at', 'desc').execute();
      return rows.map(toDevice);
    },
    /** Revokes one grant, or all of the user's when `id` is omitted; returns how many. */
    async revoke(tenantId: string, userId: string, now: Date, id?: string): Promise<number> {
      let query = db.updateTable('remembered_devices').set({ revoked_at: now }).where('tenant_id', '=', tenantId).where('user_id', '=', userId)
        .where('revoked_at', 'is', null);
      if (id) query = query.where('id', '=', id);
      return Number((await query.executeTakeFirst()).numUpdatedRows);
    },
    /** Deletes up to `limit` expired grants (revoked ones too, once expired); returns how many. */
    sweep(now: Date, limit = DELETE_BATCH_ROWS): Promise<number> {
      return deleteBatch(db, 'remembered_devices', (eb) => eb('expires_at', '<', now), limit);
    },
  };
}
