import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DatabaseHandle, Db } from '../db/database.js';
import { daysBefore, DELETE_BATCH_ROWS } from '../db/delete-batch.js';
import { vacuumEmbeddedDatabase } from '../db/embedded-vacuum.js';
import { sweepExpiredOidcPayloads } from '../db/oidc-adapter.js';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import { createAccountTokenRepository } from '../db/repositories/account-tokens.js';
import { createFactorRepository, createRememberedDeviceRepository } from '../db/repositories/factors.js';
import { createFlowRepository } from '../db/repositories/flows.js';
import { createOutboxRepository, OUTBOX_RETENTION_DAYS } from '../mail/outbox-repository.js';
import { sweepExpiredRateLimits } from '../security/rate-limits/index.js';
import { warnOfExpiringCertificates } from '../security/certificate-expiry.js';
import { warnOfExpiringSecrets } from '../security/client-secret-expiry.js';

/** One duty of the periodic sweep. */
export interface SweepTask {
  name: string;
  /**
   * Deletes at most `limit` rows and returns how many it removed. The sweeper calls it again
   * while it returns `limit` (a backlog), so one call is one short statement. A task marked
   * `once` is called once per sweep and returns how many things it did.
   */
  run(db: Db, now: Date, limit: number): Promise<number>;
  once?: boolean;
}

/** What the server sweeps every minute (docs/architecture.md, "The sweeper"). */
export const SWEEP_TASKS: readonly SweepTask[] = [
  { name: 'oidc_payloads', run: (db, now, limit) => sweepExpiredOidcPayloads(db, now, limit) },
  { name: 'flows', run: (db, now, limit) => createFlowRepository(db).sweep(now, limit) },
  { name: 'account_tokens', run: (db, now, limit) => createAccountTokenRepository(db).sweep(now, limit) },
  { name: 'account_sessions', run: (db, now, limit) => createAccountSessionRepository(db).sweep(now, limit) },
  { name: 'remembered_devices', run: (db, now, limit) => createRememberedDeviceRepository(db).sweep(now, limit) },
  { name: 'pending_factors', run: (db, now, limit) => createFactorRepository(db).sweepPending(now, limit) },
  { name: 'rate_limits', run: (db, now, limit) => sweepExpiredRateLimits(db, now, limit) },
  { name: 'mail_outbox', run: (db, now, limit) => createOutboxRepository(db).deleteOlderThan(daysBefore(now, OUTBOX_RETENTION_DAYS), limit) },
  // These write audit events instead of deleting rows.
  { name: 'secret_expiry_warnings', once: true, run: async (db, now) => { await warnOfExpiringSecrets(db, now); return 0; } },
  { name: 'certificate_expiry_warnings', once: true, run: async (db, now) => { await warnOfExpiringCertificates(db, now); return 0; } },
];

/** On the embedded database, after the deletes: the autovacuum it does not have (db/embedded-vacuum.ts). */
export const EMBEDDED_VACUUM_TASK: SweepTask = {
  name: 'vacuumed_tables', once: true, run: async (db) => (await vacuumEmbeddedDatabase(db)).length,
};

/** The sweep of a server on `kind` of database. */
export function sweepTasksFor(kind: DatabaseHandle['kind']): readonly SweepTask[] {
  return kind === 'embedded' ? [...SWEEP_TASKS, EMBEDDED_VACUUM_TASK] : SWEEP_TASKS;
}

export interface SweepResult {
  /** Per task, the rows it removed (or what a `once` task counts); tasks that did nothing are left out. */
  done: Record<string, number>;
  /** Tasks that failed, with their error; the other tasks ran regardless. */
  failed: { task: string; error: unknown }[];
}

export interface SweeperOptions {
  tasks?: readonly SweepTask[];
  batchRows?: number;
  clock?: () => Date;
}

/**
 * The periodic sweep: deletes what has expired, in batches of `batchRows`, and gives the event
 * loop a turn between batches, so requests keep flowing while a large backlog goes (on the
 * embedded database a statement runs on the main thread). A task that fails is reported and the
 * others still run. Calls made while a sweep runs share it instead of starting another.
 */
export function createSweeper(db: Db, options: SweeperOptions = {}) {
  const tasks = options.tasks ?? SWEEP_TASKS;
  const batchRows = options.batchRows ?? DELETE_BATCH_ROWS;
  const clock = options.clock ?? (() => new Date());
  let running: Promise<SweepResult> | undefined;

  async function sweep(): Promise<SweepResult> {
    const now = clock();
    const result: SweepResult = { done: {}, failed: [] };
    for (const task of tasks) {
      try {
        let total = 0;
        for (;;) {
          const removed = await task.run(db, now, batchRows);
          total += removed;
          if (task.once || removed < batchRows) break;
          await nextTurn();
        }
        if (total > 0) result.done[task.name] = total;
      } catch (error) {
        result.failed.push({ task: task.name, error });
      }
      await nextTurn();
    }
    return result;
  }

  return {
    /** Runs one sweep, or joins the one already running. */
    sweepOnce(): Promise<SweepResult> {
      running ??= sweep().finally(() => { running = undefined; });
      return running;
    },
    /** Resolves once no sweep is running (the server waits for it before closing the database). */
    async idle(): Promise<void> {
      await running;
    },
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
