import type { Db } from '../db/database.js';
import { recordAuditEvents, type AuditEvent } from './audit-log.js';

interface Queued {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes audit events with adaptive group commit. `write` resolves once the event is
 * committed, so a response sent after it is never ahead of its audit record.
 *
 * Requests that will write (token requests) are tracked with `enter`/`leave`. A batch is
 * written at the end of the event-loop turn in which every tracked request is waiting on it —
 * nothing more could join — or after `maxDelayMs`. Under load, one INSERT then serves as many requests as are in flight;
 * alone, a request waits for nobody. One statement costs the embedded database a few hundred
 * microseconds of CPU, a row a few tens, so batching is what keeps auditing cheap per token.
 */
export function createAuditWriter(db: Db, options: { maxBatch?: number; maxDelayMs?: number } = {}) {
  const maxBatch = options.maxBatch ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5;
  let queue: Queued[] = [];
  let inFlight = 0;
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;

  async function writeBatches(): Promise<void> {
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
    writing = undefined;
    // Events that arrived during the write wait for their own moment.
    if (queue.length) schedule();
  }

  function start(): void {
    if (writing || !queue.length) return;
    clearTimeout(timer);
    clearImmediate(turn);
    timer = undefined;
    turn = undefined;
    writing = writeBatches();
  }

  function schedule(): void {
    if (writing) return;
    if (queue.length >= Math.max(1, inFlight)) {
      // Not at once: requests whose bytes arrived in this same turn of the event loop have not
      // been counted yet. They run to their audit write within the turn, so the batch written
      // after it holds them too.
      turn ??= setImmediate(start);
    } else {
      timer ??= setTimeout(start, maxDelayMs);
    }
  }

  return {
    write(event: AuditEvent): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        schedule();
      });
    },
    /** Several events of one request, queued together so that they share one INSERT. */
    writeAll(events: AuditEvent[]): Promise<void> {
      const written = events.map((event) => new Promise<void>((resolve, reject) => { queue.push({ event, resolve, reject }); }));
      schedule();
      return Promise.all(written).then(() => undefined);
    },
    /** A request that may write has started. */
    enter(): void {
      inFlight += 1;
    },
    /** That request has finished (whether it wrote or not). */
    leave(): void {
      inFlight -= 1;
      if (queue.length) schedule();
    },
    /** Waits for every queued event (used at shutdown). */
    async drain(): Promise<void> {
      while (writing || queue.length) {
        start();
        await writing;
      }
    },
  };
}

export type AuditWriter = ReturnType<typeof createAuditWriter>;
