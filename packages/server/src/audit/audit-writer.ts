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
 * Requests that will write (token requests) are tracked with `enter`/`leave`. Once every
 * tracked request is waiting on the batch, the writer lets the event loop turn once more, so
 * that requests already in the socket buffers are read and join; it writes after the first
 * turn that brings nobody new, or after `maxDelayMs`. Under load, one INSERT then serves
 * nearly every request in flight (9.5 rows on average at 10 connections, 22 at 50, against 6
 * when it wrote at the end of the first turn); alone, a request waits for nobody. One
 * statement costs the embedded database a few hundred microseconds of CPU, a row a few tens,
 * so batching is what keeps auditing cheap per token.
 */
export function createAuditWriter(db: Db, options: { maxBatch?: number; maxDelayMs?: number } = {}) {
  const maxBatch = options.maxBatch ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5;
  let queue: Queued[] = [];
  let inFlight = 0;
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let turn: NodeJS.Immediate | undefined;
  /** How many requests have entered so far, and how many had when the pending turn began. */
  let entered = 0;
  let enteredBeforeTurn = 0;
  /** When the oldest queued event was queued. */
  let oldestQueuedAt = 0;

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
    // Events queued while a batch was written went into the next batch of the loop above.
    writing = undefined;
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
    if (writing || turn) return;
    if (queue.length >= Math.max(1, inFlight)) {
      // Everyone counted is waiting, but not at once: requests whose bytes are already in the
      // socket buffers have not been counted yet. One more turn of the event loop reads them,
      // and they run to their audit write within it.
      enteredBeforeTurn = entered;
      turn = setImmediate(afterTurn);
    } else {
      timer ??= setTimeout(start, maxDelayMs);
    }
  }

  function afterTurn(): void {
    turn = undefined;
    const newcomers = entered !== enteredBeforeTurn;
    if (!newcomers || queue.length >= maxBatch || performance.now() - oldestQueuedAt >= maxDelayMs) {
      start();
    } else {
      // Wait for the newcomers as for anyone counted: each writes or leaves, which schedules again.
      schedule();
    }
  }

  function enqueue(items: Queued[]): void {
    if (!queue.length) oldestQueuedAt = performance.now();
    queue.push(...items);
  }

  return {
    write(event: AuditEvent): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        enqueue([{ event, resolve, reject }]);
        schedule();
      });
    },
    /** Several events of one request, queued together so that they share one INSERT. */
    writeAll(events: AuditEvent[]): Promise<void> {
      const items: Queued[] = [];
      const written = events.map((event) => new Promise<void>((resolve, reject) => { items.push({ event, resolve, reject }); }));
      enqueue(items);
      schedule();
      return Promise.all(written).then(() => undefined);
    },
    /** A request that may write has started. */
    enter(): void {
      inFlight += 1;
      entered += 1;
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
