import { PGlite } from '@electric-sql/pglite';
import { mkdtemp } from 'node:fs/promises'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const pg = await PGlite.create(await mkdtemp(join(tmpdir(), 'vac-')));
console.log((await pg.query(`show autovacuum`)).rows, (await pg.query(`select count(*) from pg_stat_activity`)).rows);
await pg.exec(`create table t (id serial primary key, v text, e timestamptz); create index t_e on t(e)`);
for (let r = 0; r < 4; r++) {
  await pg.exec(`insert into t (v, e) select repeat('x', 200), now() from generate_series(1, 100000)`);
  await pg.exec(`delete from t`);
  await new Promise((res) => setTimeout(res, 2000));
  console.log(r, (await pg.query(`select pg_relation_size('t') as heap, pg_relation_size('t_e') as idx, n_dead_tup, last_autovacuum, autovacuum_count from pg_stat_user_tables where relname = 't'`)).rows[0]);
}
await pg.exec('vacuum t');
console.log('after vacuum', (await pg.query(`select pg_relation_size('t') as heap, n_dead_tup from pg_stat_user_tables where relname = 't'`)).rows[0]);
await pg.exec(`insert into t (v, e) select repeat('x', 200), now() from generate_series(1, 100000)`);
console.log('reinsert', (await pg.query(`select pg_relation_size('t') as heap from pg_stat_user_tables where relname = 't'`)).rows[0]);
