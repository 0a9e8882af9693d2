import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/database.js';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import { createAuditWriter } from './audit-writer.js';
import type { AuditEvent } from './audit-log.js';

/**
 * Group commit of the audit writer. Rows written by one INSERT share its transaction id
 * (`xmin`), so the tests read which events were committed together from the rows themselves.
 */
let database: DatabaseHandle;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-audit-writer-');
});
afterAll(async () => {
  await database.close();
});

/** No timer stands in for "at once": a write the writer left to its timer would not finish. */
const NEVER_BY_TIMER = { maxDelayMs: 600_000 };

const event = (correlationId: string): AuditEvent => ({
  tenantId: null, type: 'token.issued', actor: 'app', clientId: 'app', correlationId, data: { jti: correlationId },
});

async function transactionsOf(ids: string[]): Promise<Map<string, string>> {
  const rows = await sql<{ correlation_id: string; tx: string }>`
    select correlation_id, xmin::text as tx from audit_events where correlation_id in (${sql.join(ids)})`.execute(database.db);
  return new Map(rows.rows.map((row) => [row.correlation_id, row.tx]));
}

/** Both events are stored, by one INSERT. */
async function expectOneInsert(a: string, b: string): Promise<void> {
  const tx = await transactionsOf([a, b]);
  expect(tx.size).toBe(2);
  expect(tx.get(a)).toBe(tx.get(b));
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  void promise.then(() => { done = true; }, () => { done = true; });
  return () => done;
}

describe('audit writer', () => {
  it('writes a lone request\'s event without waiting for anyone', async () => {
    const writer = createAuditWriter(database.db, NEVER_BY_TIMER);
    writer.enter();
    await writer.write(event('lone-1'));
    writer.leave();
    expect((await transactionsOf(['lone-1'])).size).toBe(1);
  });

  it('puts requests that arrive in the same turn of the event loop in one INSERT', async () => {
    const writer = createAuditWriter(database.db, NEVER_BY_TIMER);
    // The first request is the only one counted when it writes; the second is counted only
    // afterwards, still within the same turn (as a request parsed from the next socket is).
    writer.enter();
    const first = writer.write(event('turn-1'));
    await Promise.resolve();
    writer.enter();
    const second = writer.write(event('turn-2'));
    await Promise.all([first, second]);
    writer.leave();
    writer.leave();
    await expectOneInsert('turn-1', 'turn-2');
  });

  it('waits for a request that was read in the same turn but has not written yet', async () => {
    const writer = createAuditWriter(database.db, NEVER_BY_TIMER);
    let second: Promise<void> | undefined;
    // A second request is read in the turn after the first wrote (it is counted), and writes a
    // turn later (as a request reading its body does).
    setImmediate(() => {
      writer.enter();
      setImmediate(() => { second = writer.write(event('next-2')); });
    });
    writer.enter();
    await writer.write(event('next-1'));
    await second;
    writer.leave();
    writer.leave();
    await expectOneInsert('next-1', 'next-2');
  });

  it('holds a batch while a counted request has not written, and writes it when that request leaves without writing', async () => {
    const writer = createAuditWriter(database.db, NEVER_BY_TIMER);
    writer.enter();
    writer.enter();
    writer.enter();
    const a = writer.write(event('held-a'));
    const aDone = settled(a);
    await turn();
    await turn();
    expect(aDone()).toBe(false);

    const b = writer.write(event('held-b'));
    await turn();
    await turn();
    expect(aDone()).toBe(false);

    writer.leave(); // the third request ended with nothing to record
    await Promise.all([a, b]);
    await expectOneInsert('held-a', 'held-b');
  });

  it('starts a new batch for events that come after the last one was written', async () => {
    const writer = createAuditWriter(database.db, NEVER_BY_TIMER);
    writer.enter();
    await writer.write(event('later-1'));
    writer.leave();
    writer.enter();
    await writer.write(event('later-2'));
    writer.leave();
    const tx = await transactionsOf(['later-1', 'later-2']);
    expect(tx.size).toBe(2);
    expect(tx.get('later-1')).not.toBe(tx.get('later-2'));
  });

  it('writes what is queued on drain', async () => {
    const writer = createAuditWriter(database.db, NEVER_BY_TIMER);
    writer.enter();
    writer.enter();
    const queued = writer.write(event('drain-1'));
    await writer.drain();
    await queued;
    expect((await transactionsOf(['drain-1'])).size).toBe(1);
  });
});
