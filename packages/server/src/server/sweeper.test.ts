import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle, Db } from '../db/database.js';
import { createTenantRepository } from '../db/repositories/tenants.js';
import { createUserRepository } from '../db/repositories/users.js';
import { createSweeper, SWEEP_TASKS, type SweepTask } from './sweeper.js';

let database: DatabaseHandle;
let userId: string;
const NOW = new Date('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;
const at = (hours: number) => new Date(NOW.getTime() + hours * HOUR);
const clock = () => NOW;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-sweeper-');
  await createTenantRepository(database.db).insert({ id: 'acme', name: 'Acme' });
  userId = (await createUserRepository(database.db).insert('acme', {
    username: 'ada', email: 'ada@acme.test', emailVerified: true, name: null, passwordHash: null, roles: [],
  })).id;
});
afterAll(async () => {
  await database?.close();
});

/** Rows of every swept table, each named by its id, expiring (or created) at the given hour offsets. */
async function seed(db: Db, prefix: string) {
  const uuid = (n: number) => `00000000-0000-4000-8000-${prefix}${String(n).padStart(12 - prefix.length, '0')}`;
  const flows = { expired: [-2, -0.01], live: [0.5] };
  for (const [i, hours] of [...flows.expired, ...flows.live].entries()) {
    await db.insertInto('flows').values({ id: `${prefix}flow${i}`.padEnd(22, 'x'), tenant_id: 'acme', type: 'login', state: 'new', ui: '{}', data: '{}', expires_at: at(hours) }).execute();
  }
  // Emailed links are kept a day after they expire, to say "expired" rather than "unknown".
  const tokens = { expired: [-30, -25], live: [-23, 1] };
  for (const [i, hours] of [...tokens.expired, ...tokens.live].entries()) {
    await db.insertInto('account_tokens').values({ id: uuid(100 + i), tenant_id: 'acme', user_id: userId, purpose: 'reset_password',
      token_hash: `${prefix}token${i}`, security_stamp: 's', data: '{}', expires_at: at(hours) }).execute();
  }
  // A revoked session goes once it has expired too; until then it is kept (and refused).
  const sessions = { expired: [-48, -1], live: [2, 24 * 14] };
  for (const [i, hours] of [...sessions.expired, ...sessions.live].entries()) {
    await db.insertInto('account_sessions').values({ id: uuid(200 + i), tenant_id: 'acme', user_id: userId, token_hash: `${prefix}session${i}`,
      security_stamp: 's', amr: '["pwd"]', authenticated_at: at(-72), expires_at: at(hours), revoked_at: i % 2 ? at(-70) : null }).execute();
  }
  const devices = { expired: [-1, -500], live: [700] };
  for (const [i, hours] of [...devices.expired, ...devices.live].entries()) {
    await db.insertInto('remembered_devices').values({ id: uuid(300 + i), tenant_id: 'acme', user_id: userId, token_hash: `${prefix}device${i}`,
      created_at: at(-720), expires_at: at(hours) }).execute();
  }
  // Enrolments never confirmed go a day after they began; confirmed factors stay however old.
  const factors = [{ hours: -25, confirmed: false, gone: true }, { hours: -23, confirmed: false, gone: false }, { hours: -2000, confirmed: true, gone: false }];
  for (const [i, factor] of factors.entries()) {
    await db.insertInto('user_factors').values({ id: uuid(400 + i), tenant_id: 'acme', user_id: userId, kind: 'totp', name: 'phone',
      counter: 0, data: '{}', confirmed: factor.confirmed, created_at: at(factor.hours) }).execute();
  }
  // Counters without expiry are the per-account unblock generations: never swept.
  for (const [i, expire] of [at(-1).getTime(), at(-0.001).getTime(), at(1).getTime(), null].entries()) {
    await db.insertInto('rate_limits').values({ key: `${prefix}limit${i}`, points: 1, expire }).execute();
  }
  // The development outbox keeps a week.
  for (const [i, hours] of [-24 * 8, -24 * 7 - 1, -24 * 6].entries()) {
    await db.insertInto('mail_outbox').values({ tenant_id: 'acme', recipient: `${prefix}${i}@acme.test`, subject: 's', template: 't',
      text_body: 'x', html_body: 'x', created_at: at(hours) }).execute();
  }
  // Expired device codes are kept an hour, to answer expired_token.
  const payloads = [{ model: 'AuthorizationCode', hours: -0.1, gone: true }, { model: 'Session', hours: -100, gone: true }, { model: 'Session', hours: 1, gone: false },
    { model: 'DeviceCode', hours: -0.5, gone: false }, { model: 'DeviceCode', hours: -2, gone: true }];
  for (const [i, payload] of payloads.entries()) {
    await db.insertInto('oidc_payloads').values({ tenant_id: 'acme', model: payload.model, id: `${prefix}payload${i}`, payload: '{}', expires_at: at(payload.hours) }).execute();
  }
  return {
    flows: flows.expired.length, account_tokens: tokens.expired.length, account_sessions: sessions.expired.length,
    remembered_devices: devices.expired.length, pending_factors: factors.filter((f) => f.gone).length, rate_limits: 2, mail_outbox: 2,
    oidc_payloads: payloads.filter((p) => p.gone).length,
  };
}

async function counts(db: Db) {
  const tables = ['flows', 'account_tokens', 'account_sessions', 'remembered_devices', 'user_factors', 'rate_limits', 'mail_outbox', 'oidc_payloads'] as const;
  const result: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    result[table] = rows[0]!.n;
  }
  return result;
}

describe('the periodic sweep', () => {
  it('deletes exactly what has expired in every table, in batches, and keeps the rest', async () => {
    const { db } = database;
    const expected = await seed(db, 'a');
    const seeded = await counts(db);

    const result = await createSweeper(db, { batchRows: 1, clock }).sweepOnce();

    expect(result.failed).toEqual([]);
    expect(result.done).toEqual(expected);
    const after = await counts(db);
    const { pending_factors: pendingFactors, ...byTable } = expected;
    for (const [table, removed] of Object.entries({ ...byTable, user_factors: pendingFactors })) {
      expect(after[table], table).toBe(seeded[table]! - removed);
    }
    // What is left is live: a second sweep finds nothing.
    expect(await createSweeper(db, { batchRows: 1, clock }).sweepOnce()).toEqual({ done: {}, failed: [] });
  });

  it('takes a backlog in batches, giving the event loop a turn after each', async () => {
    const { db } = database;
    await sql`insert into flows (id, tenant_id, type, state, ui, data, expires_at)
      select 'backlog' || lpad(g::text, 15, '0'), 'acme', 'login', 'new', '{}', '{}', ${at(-1)}::timestamptz from generate_series(1, 25) g`.execute(db);
    const flows = SWEEP_TASKS.find((task) => task.name === 'flows')!;
    const order: string[] = [];
    const watched: SweepTask = {
      name: 'flows',
      run: async (...args) => {
        const removed = await flows.run(...args);
        order.push(`batch of ${removed}`);
        setImmediate(() => order.push('turn'));
        return removed;
      },
    };

    const result = await createSweeper(db, { tasks: [watched], batchRows: 10, clock }).sweepOnce();

    expect(result.done).toEqual({ flows: 25 });
    expect(order).toEqual(['batch of 10', 'turn', 'batch of 10', 'turn', 'batch of 5', 'turn']);
  });

  it('runs the other tasks when one fails, and reports the failure', async () => {
    const { db } = database;
    await seed(db, 'b');
    const broken: SweepTask = { name: 'broken', run: async () => { throw new Error('disk on fire'); } };

    const result = await createSweeper(db, { tasks: [broken, ...SWEEP_TASKS], clock }).sweepOnce();

    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ task: 'broken', error: expect.objectContaining({ message: 'disk on fire' }) });
    expect(result.done.flows).toBe(2);
    expect(result.done.account_sessions).toBe(2);
  });

  it('shares a running sweep instead of starting a second one', async () => {
    let runs = 0;
    const counting: SweepTask = { name: 'counting', run: async () => { runs += 1; return 0; } };
    const sweeper = createSweeper(database.db, { tasks: [counting], clock });

    const [first, second] = [sweeper.sweepOnce(), sweeper.sweepOnce()];
    expect(second).toBe(first);
    await first;
    await sweeper.idle();
    expect(runs).toBe(1);
    await sweeper.sweepOnce();
    expect(runs).toBe(2);
  });
});

describe('finding what to sweep', () => {
  beforeAll(async () => {
    const { db } = database;
    // Many live rows, so reading the whole table would show in the plan.
    await sql`insert into account_sessions (id, tenant_id, user_id, token_hash, security_stamp, authenticated_at, expires_at)
      select gen_random_uuid(), 'acme', ${userId}, 'bulk-session' || g, 's', now(), ${at(24)}::timestamptz + g * interval '1 second'
      from generate_series(1, 20000) g`.execute(db);
    await sql`insert into remembered_devices (id, tenant_id, user_id, token_hash, expires_at)
      select gen_random_uuid(), 'acme', ${userId}, 'bulk-device' || g, ${at(24)}::timestamptz + g * interval '1 second'
      from generate_series(1, 20000) g`.execute(db);
    await sql`insert into user_factors (id, tenant_id, user_id, kind, name, counter, data, confirmed, created_at)
      select gen_random_uuid(), 'acme', ${userId}, 'totp', 'phone', 0, '{}', true, ${at(-24 * 30)}::timestamptz
      from generate_series(1, 20000) g`.execute(db);
    for (const table of ['account_sessions', 'remembered_devices', 'user_factors']) await sql`analyze ${sql.table(table)}`.execute(db);
  });

  // The conditions of the three sweeps, as in their repositories.
  const picks = () => [
    { index: 'account_sessions_expires', query: database.db.selectFrom('account_sessions').select(sql`ctid`.as('ctid')).where('expires_at', '<', NOW).limit(1000) },
    { index: 'remembered_devices_expires', query: database.db.selectFrom('remembered_devices').select(sql`ctid`.as('ctid')).where('expires_at', '<', NOW).limit(1000) },
    { index: 'user_factors_pending', query: database.db.selectFrom('user_factors').select(sql`ctid`.as('ctid'))
      .where('confirmed', '=', false).where('created_at', '<', at(-24)).limit(1000) },
  ];

  it('is an index range scan, not a read of the whole table', async () => {
    for (const { index, query } of picks()) {
      const plan = JSON.stringify(await query.explain('json'));
      expect(plan, index).toContain(index);
      expect(plan, index).not.toContain('Seq Scan');
    }
  });
});
