import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Db } from '../db/database.js';
import { decryptSecret, encryptSecret } from '../security/key-encryption.js';
import { recordAuditEvent } from '../audit/audit-log.js';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** Longest default lifetime of anything signed with a key (90 min access tokens) plus clock skew. */
export const DEFAULT_KEY_RETENTION_SECONDS = 90 * 60 + 5 * 60;
const CLOCK_SKEW_SECONDS = 5 * 60;

export interface KeySet {
  /** Private JWKs, the key to sign with first for each algorithm. */
  keys: JWK[];
  /** When the set changes next by itself (a pending key activates or a retired key expires). */
  validUntil: number;
}

export type KeyState = 'pending' | 'active' | 'retired';

export interface KeyInfo {
  kid: string;
  alg: string;
  state: KeyState;
  activatesAt: Date;
  retiresAt: Date | null;
  expiresAt: Date | null;
}

interface Deps {
  db: Db;
  masterKey: Buffer;
  clock?: () => number;
}

/** Per-tenant signing keys: generated on first use, encrypted at rest, rotated without downtime. */
export function createSigningKeys({ db, masterKey, clock = Date.now }: Deps) {
  const contextOf = (tenantId: string, kid: string) => `signing-key:${tenantId}:${kid}`;

  async function generate(tenantId: string, alg: SigningAlg, activatesAt: Date, trx: Db = db): Promise<string> {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const privateJwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(privateJwk);
    const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
    const full = { ...privateJwk, kid, alg, use: 'sig' };
    await trx.insertInto('signing_keys').values({
      kid, tenant_id: tenantId, alg,
      public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      private_jwk_encrypted: encryptSecret(masterKey, JSON.stringify(full), contextOf(tenantId, kid)),
      activates_at: activatesAt,
    }).execute();
    return kid;
  }

  async function listRows(tenantId: string, trx: Db = db) {
    return trx.selectFrom('signing_keys').selectAll().where('tenant_id', '=', tenantId)
      .orderBy('activates_at', 'desc').execute();
  }

  function stateOf(row: { activates_at: Date; retires_at: Date | null; expires_at: Date | null }, now: number): KeyState | 'expired' {
    if (row.expires_at && row.expires_at.getTime() <= now) return 'expired';
    // Superseded before it ever signed: published until expiry, never used.
    if (row.retires_at && row.retires_at.getTime() <= row.activates_at.getTime()) return 'retired';
    if (row.activates_at.getTime() > now) return 'pending';
    if (row.retires_at && row.retires_at.getTime() <= now) return 'retired';
    return 'active';
  }

  return {
    /** Creates the tenant's first ES256 and RS256 keys if it has none. */
    async ensure(tenantId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const existing = new Set((await listRows(tenantId, trx)).map((row) => row.alg));
        for (const alg of SIGNING_ALGS) {
          if (existing.has(alg)) continue;
          const kid = await generate(tenantId, alg, new Date(clock()), trx);
          await recordAuditEvent(trx, { tenantId, type: 'key.created', actor: 'system', subject: kid, data: { alg } });
        }
      });
    },

    /**
     * Publishes a new key per algorithm now, signs with it after `activationDelaySeconds`
     * (so relying parties have fetched it), and keeps the old key in the JWKS for
     * `retentionSeconds` after that, until every token it signed has expired.
     */
    async rotate(tenantId: string, options: { activationDelaySeconds: number; retentionSeconds?: number; actor?: string }) {
      const now = clock();
      const activatesAt = new Date(now + options.activationDelaySeconds * 1000);
      return db.transaction().execute(async (trx) => {
        const retention = options.retentionSeconds ?? await longestTokenLifetime(trx, tenantId);
        const expiresAt = new Date(activatesAt.getTime() + retention * 1000);
        const rows = await listRows(tenantId, trx);
        const created: string[] = [];
        for (const alg of SIGNING_ALGS) {
          for (const row of rows) {
            // The new key supersedes every key that would still sign at its activation,
            // including one that a previous rotation had scheduled but not yet activated.
            const signsLater = !row.retires_at || row.retires_at.getTime() > activatesAt.getTime();
            if (row.alg === alg && stateOf(row, now) !== 'expired' && signsLater) {
              await trx.updateTable('signing_keys').set({ retires_at: activatesAt, expires_at: expiresAt })
                .where('kid', '=', row.kid).execute();
            }
          }
          created.push(await generate(tenantId, alg, activatesAt, trx));
        }
        await trx.updateTable('tenants').set((eb) => ({ revision: eb('revision', '+', 1) })).where('id', '=', tenantId).execute();
        await recordAuditEvent(trx, {
          tenantId, type: 'key.rotated', actor: options.actor ?? 'cli',
          data: { created, activatesAt: activatesAt.toISOString(), previousExpireAt: expiresAt.toISOString() },
        });
        return { created, activatesAt, expiresAt };
      });
    },

    async list(tenantId: string): Promise<KeyInfo[]> {
      const now = clock();
      return (await listRows(tenantId)).flatMap((row) => {
        const state = stateOf(row, now);
        return state === 'expired' ? [] : [{
          kid: row.kid, alg: row.alg, state,
          activatesAt: row.activates_at, retiresAt: row.retires_at, expiresAt: row.expires_at,
        }];
      });
    },

    /** The private key set for the protocol engine, signing key first per algorithm. */
    async load(tenantId: string): Promise<KeySet> {
      const now = clock();
      const rows = (await listRows(tenantId)).filter((row) => stateOf(row, now) !== 'expired');
      const rank = (row: (typeof rows)[number]) => ({ active: 0, pending: 1, retired: 2, expired: 3 })[stateOf(row, now)];
      rows.sort((a, b) => rank(a) - rank(b) || b.activates_at.getTime() - a.activates_at.getTime());
      const changes = rows.flatMap((row) => [row.activates_at.getTime(), row.retires_at?.getTime(), row.expires_at?.getTime()])
        .filter((t): t is number => t !== undefined && t > now);
      return {
        keys: rows.map((row) => JSON.parse(decryptSecret(masterKey, row.private_jwk_encrypted, contextOf(tenantId, row.kid))) as JWK),
        validUntil: changes.length ? Math.min(...changes) : Number.POSITIVE_INFINITY,
      };
    },
  };
}

/** The old key must outlive every token it signed: the longest API token lifetime, or the 90-minute default. */
async function longestTokenLifetime(db: Db, tenantId: string): Promise<number> {
  const row = await db.selectFrom('apis').select((eb) => eb.fn.max('access_token_ttl_seconds').as('longest'))
    .where('tenant_id', '=', tenantId).executeTakeFirst();
  return Math.max(DEFAULT_KEY_RETENTION_SECONDS, Number(row?.longest ?? 0) + CLOCK_SKEW_SECONDS);
}

export type SigningKeys = ReturnType<typeof createSigningKeys>;
