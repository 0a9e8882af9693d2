import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../packages/server/src/db/database.js';
import { migrateToLatest } from '../packages/server/src/db/migrate.js';
import { createSweeper } from '../packages/server/src/server/sweeper.js';

const N = Number(process.env.N ?? 100_000);
const dir = await mkdtemp(join(tmpdir(), 'sweep-stall-'));
const { db, close } = await openDatabase({ dataDir: dir });
await migrateToLatest(db);
import { createTenantRepository } from '../packages/server/src/db/repositories/tenants.js';
import { createUserRepository } from '../packages/server/src/db/repositories/users.js';
await createTenantRepository(db).insert({ id: 'acme', name: 'Acme' });
const user = (await createUserRepository(db).insert('acme', { username: 'ada', email: 'ada@acme.test', emailVerified: true, name: null, passwordHash: null, roles: [] })).id;
async function seed() {
  await sql`insert into flows (id, tenant_id, type, state, ui, data, expires_at) select 'f' || g, 'acme', 'login', 'new', '{}', '{}', now() - interval '1 hour' from generate_series(1, ${N}) g`.execute(db);
  await sql`insert into account_sessions (id, tenant_id, user_id, token_hash, security_stamp, authenticated_at, expires_at) select gen_random_uuid(), 'acme', ${user}, 's' || g || random(), 's', now(), now() - interval '1 hour' from generate_series(1, ${N}) g`.execute(db);
}
function watch() {
  let last = performance.now(), max = 0, stop = false;
  const tick = () => { const t = performance.now(); max = Math.max(max, t - last); last = t; if (!stop) setImmediate(tick); };
  setImmediate(tick);
  return () => { stop = true; return Math.max(max, performance.now() - last); };
}
await seed();
let end = watch(); let t = performance.now();
await sql`delete from flows where expires_at < now()`.execute(db);
await sql`delete from account_sessions where expires_at < now()`.execute(db);
console.log(`one statement per table: ${(performance.now() - t).toFixed(0)} ms total, longest event-loop stall ${end().toFixed(1)} ms`);
await seed();
end = watch(); t = performance.now();
import { SWEEP_TASKS } from '../packages/server/src/server/sweeper.js';
const times: Record<string, number[]> = {};
const tasks = SWEEP_TASKS.map((task) => ({ name: task.name, run: async (...a: Parameters<typeof task.run>) => { const t0 = performance.now(); const n = await task.run(...a); (times[task.name] ??= []).push(performance.now() - t0); return n; } }));
const r = await createSweeper(db, { tasks, batchRows: Number(process.env.B ?? 1000) }).sweepOnce();
for (const [k, v] of Object.entries(times)) console.log(k, v.length, 'top', [...v].sort((a,b)=>b-a).slice(0,4).map(x=>x.toFixed(1)).join(' '), 'batches; max', Math.max(...v).toFixed(1), 'first', v[0]!.toFixed(1), 'median', v.sort((a, b) => a - b)[v.length >> 1]!.toFixed(1));
console.log(`sweeper: ${(performance.now() - t).toFixed(0)} ms total, longest event-loop stall ${end().toFixed(1)} ms`, r.removed);
await close();
