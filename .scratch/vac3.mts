import { mkdtemp } from 'node:fs/promises'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../packages/server/src/db/database.js';
import { migrateToLatest } from '../packages/server/src/db/migrate.js';
import { createTenantRepository } from '../packages/server/src/db/repositories/tenants.js';
import { createUserRepository } from '../packages/server/src/db/repositories/users.js';
import { createSweeper, sweepTasksFor } from '../packages/server/src/server/sweeper.js';
const { db, close } = await openDatabase({ dataDir: await mkdtemp(join(tmpdir(), 'vac3-')) });
await migrateToLatest(db);
await createTenantRepository(db).insert({ id: 'acme', name: 'Acme' });
const user = (await createUserRepository(db).insert('acme', { username: 'ada', email: 'ada@acme.test', emailVerified: true, name: null, passwordHash: null, roles: [] })).id;
const N = Number(process.env.N ?? 100000);
await sql`insert into account_sessions (id, tenant_id, user_id, token_hash, security_stamp, authenticated_at, expires_at) select gen_random_uuid(), 'acme', ${user}, 'l' || g || random(), 's', now(), now() + interval '1 day' from generate_series(1, ${N}) g`.execute(db);
const sweeper = createSweeper(db, { tasks: sweepTasksFor('embedded') });
await sweeper.sweepOnce();
for (let round = 0; round < 3; round++) {
  await sql`insert into account_sessions (id, tenant_id, user_id, token_hash, security_stamp, authenticated_at, expires_at) select gen_random_uuid(), 'acme', ${user}, 's' || g || random(), 's', now(), now() - interval '1 hour' from generate_series(1, ${N / 2}) g`.execute(db);
  let last = performance.now(), max = 0, stop = false;
  const tick = () => { const t = performance.now(); max = Math.max(max, t - last); last = t; if (!stop) setImmediate(tick); };
  setImmediate(tick);
  const t = performance.now(); const r = await sweeper.sweepOnce(); stop = true;
  const size = (await sql<{ s: number }>`select pg_total_relation_size('account_sessions')::float8 as s`.execute(db)).rows[0]!.s;
  console.log(`round ${round}: sweep ${(performance.now() - t).toFixed(0)} ms, longest stall ${Math.max(max, performance.now() - last).toFixed(1)} ms, sessions table ${(size / 1e6).toFixed(1)} MB`, r.done);
}
await close();
