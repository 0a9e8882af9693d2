import type { Db } from '../db/database.js';
import { recordAuditEvents, type AuditEvent } from './audit-log.js';

/**
 * Writes audit events off the request's own transaction, with group commit: events that
 * arrive while a write is in flight are inserted together in the next one. `write`
 * resolves once the event is committed, so a response sent after it is never ahead of
 * its audit record, and under load one INSERT serves many requests.
 */
export function createAuditWriter(db: Db, options: { maxBatch?: number } = {}) {
  const maxBatch = options.maxBatch ?? 500;
  let queue: { event: AuditEvent; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let flushing: Promise<void> | undefined;

  async function flush(): Promise<void> {
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await recordAuditEvents(db, batch.map((item) => item.event));
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    flushing = undefined;
  }

  return {
    write(event: AuditEvent): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        flushing ??= Promise.resolve().then(flush);
      });
    },
    /** Waits for every queued event (used at shutdown). */
    async drain(): Promise<void> {
      while (flushing) await flushing;
    },
  };
}

export type AuditWriter = ReturnType<typeof createAuditWriter>;
