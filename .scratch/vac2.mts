import { mkdtemp } from 'node:fs/promises'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../packages/server/src/db/database.js';
import { migrateToLatest } from '../packages/server/src/db/migrate.js';
const { db, close, kind } = await openDatabase({ dataDir: await mkdtemp(join(tmpdir(), 'vac2-')) });
await migrateToLatest(db);
console.log(kind);
await sql`insert into flows (id, tenant_id, type, state, ui, data, expires_at) select 'f' || g, null, 'login', 'new', '{}', '{}', now() from generate_series(1, 1) g`.execute(db).catch(e => console.log('seed', e.message));
const r = await sql`select c.oid::regclass::text as name, n.nspname, s.n_dead_tup, s.n_live_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze, age(c.relfrozenxid) as xid_age, c.reltuples
 from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_stat_all_tables s on s.relid = c.oid where c.relkind in ('r','m') order by xid_age desc limit 8`.execute(db);
console.log(r.rows);
const t = performance.now();
await sql`vacuum (analyze) ${sql.table('public.flows')}`.execute(db);
console.log('vacuum ok', performance.now() - t);
const t2 = performance.now();
await sql`vacuum`.execute(db);
console.log('full db vacuum', performance.now() - t2);
await close();
