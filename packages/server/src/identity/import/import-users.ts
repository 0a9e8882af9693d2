import type { Db } from '../../db/database.js';
import type { ConflictPolicy } from './plan-change.js';
import type { ImportRecord, RowProblem } from './validate-rows.js';
import { writeBatch, type BatchCounts } from './write-batch.js';

export interface ImportOptions {
  tenantId: string;
  /** Users per transaction (default 500). */
  batchSize?: number;
  onConflict?: ConflictPolicy;
  overwritePasswords?: boolean;
  /** Validate and count against the database, then roll everything back. */
  dryRun?: boolean;
  /** Who runs the import, for the audit log: `cli` by default. */
  actor?: string;
  /** Called after each batch with the number of records done and in all. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary extends BatchCounts {
  dryRun: boolean;
  batches: number;
}

export interface ImportDeps {
  db: Db;
  clock: () => Date;
}

export const DEFAULT_BATCH_SIZE = 500;

/** A batch failed: the batches before it are committed (`summary`), it and those after are not. */
export class ImportBatchError extends Error {
  readonly code = 'user_import.batch_failed';

  constructor(readonly batch: number, readonly firstRef: string, readonly lastRef: string, readonly summary: ImportSummary, cause: unknown) {
    super(`batch ${batch} (${firstRef} to ${lastRef}) failed and was rolled back: ${(cause as Error).message}`, { cause });
    this.name = 'ImportBatchError';
  }
}

class DryRunRollback extends Error {}

/**
 * Imports validated records in batches, each batch in its own transaction with its audit
 * events and the tenant's revision bump: a batch is written whole or not at all. A dry run
 * runs every batch in one transaction and rolls it back, so later batches see earlier ones
 * exactly as a real run would. Re-running a file is idempotent (plan-change.ts).
 */
export async function importUsers(deps: ImportDeps, records: ImportRecord[], options: ImportOptions): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const dryRun = options.dryRun === true;
  const summary: ImportSummary = { dryRun, batches: 0, created: 0, updated: 0, unchanged: 0, skipped: [], passwordsKept: [] };
  const context = {
    tenantId: options.tenantId, actor: options.actor ?? 'cli',
    onConflict: options.onConflict ?? 'update', overwritePasswords: options.overwritePasswords === true,
  };
  const runBatches = async (transact: (batch: ImportRecord[]) => Promise<BatchCounts>) => {
    for (let start = 0; start < records.length; start += batchSize) {
      const batch = records.slice(start, start + batchSize);
      try {
        add(summary, await transact(batch));
      } catch (error) {
        throw new ImportBatchError(summary.batches + 1, batch[0]?.ref ?? '?', batch.at(-1)?.ref ?? '?', summary, error);
      }
      summary.batches++;
      options.onProgress?.(Math.min(start + batchSize, records.length), records.length);
    }
  };
  if (!dryRun) {
    await runBatches((batch) => deps.db.transaction().execute((trx) => writeBatch(trx, batch, { ...context, now: deps.clock() })));
    return summary;
  }
  await deps.db.transaction().execute(async (trx) => {
    await runBatches((batch) => writeBatch(trx, batch, { ...context, now: deps.clock() }));
    throw new DryRunRollback();
  }).catch((error: unknown) => {
    if (!(error instanceof DryRunRollback)) throw error;
  });
  return summary;
}

function add(summary: ImportSummary, counts: BatchCounts): void {
  summary.created += counts.created;
  summary.updated += counts.updated;
  summary.unchanged += counts.unchanged;
  summary.skipped.push(...counts.skipped);
  summary.passwordsKept.push(...counts.passwordsKept);
}

export type { RowProblem };
