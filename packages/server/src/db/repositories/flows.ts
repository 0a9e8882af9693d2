import { randomBytes } from 'node:crypto';
import type { Db } from '../database.js';
import { DELETE_BATCH_ROWS, deleteBatch } from '../delete-batch.js';

export interface StoredFlow {
  id: string;
  tenantId: string;
  type: string;
  state: string;
  userId: string | null;
  interactionUid: string | null;
  ui: unknown;
  data: Record<string, unknown>;
  expiresAt: Date;
}

/** 128 random bits: a flow id is a capability for the form it shows, never for an account. */
export const newFlowId = (): string => randomBytes(16).toString('base64url');

/** Self-service flows as data (registration, login, verification, recovery, settings). */
export function createFlowRepository(db: Db) {
  return {
    async insert(flow: StoredFlow): Promise<void> {
      await db.insertInto('flows').values({
        id: flow.id, tenant_id: flow.tenantId, type: flow.type, state: flow.state, user_id: flow.userId, interaction_uid: flow.interactionUid,
        ui: JSON.stringify(flow.ui), data: JSON.stringify(flow.data), expires_at: flow.expiresAt,
      }).execute();
    },
    async find(tenantId: string, id: string): Promise<StoredFlow | undefined> {
      if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return undefined;
      const row = await db.selectFrom('flows').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && {
        id: row.id, tenantId: row.tenant_id, type: row.type, state: row.state, userId: row.user_id, interactionUid: row.interaction_uid,
        ui: row.ui, data: row.data as Record<string, unknown>, expiresAt: new Date(row.expires_at),
      };
    },
    /** Whether a login flow of this OpenID Connect interaction signed this user in (the interaction's own, fresh sign-in). */
    async signedInThrough(tenantId: string, interactionUid: string, userId: string): Promise<boolean> {
      const row = await db.selectFrom('flows').select('id').where('tenant_id', '=', tenantId).where('interaction_uid', '=', interactionUid)
        .where('type', '=', 'login').where('state', '=', 'success').where('user_id', '=', userId).executeTakeFirst();
      return Boolean(row);
    },
    async update(flow: Pick<StoredFlow, 'id' | 'state' | 'ui' | 'data' | 'userId'>): Promise<void> {
      await db.updateTable('flows').set({
        state: flow.state, ui: JSON.stringify(flow.ui), data: JSON.stringify(flow.data), user_id: flow.userId, updated_at: new Date(),
      }).where('id', '=', flow.id).execute();
    },
    /** Deletes up to `limit` expired flows; returns how many. */
    sweep(now: Date, limit = DELETE_BATCH_ROWS): Promise<number> {
      return deleteBatch(db, 'flows', (eb) => eb('expires_at', '<', now), limit);
    },
  };
}

export type FlowRepository = ReturnType<typeof createFlowRepository>;
