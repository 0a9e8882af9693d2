import { PGlite } from '@electric-sql/pglite';
import { mkdtemp } from 'node:fs/promises'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const dir = await mkdtemp(join(tmpdir(), 'tmpl-'));
let pg = await PGlite.create(dir);
for (let i = 0; i < 50; i++) await pg.query('select txid_current()');
const ages = async () => (await pg.query(`select datname, age(datfrozenxid) from pg_database`)).rows;
console.log(await ages());
await pg.exec(`alter database template0 allow_connections true`);
await pg.close();
for (const database of ['template0', 'template1']) {
  const t = performance.now();
  const other = await PGlite.create(dir, { database });
  await other.exec('vacuum (freeze)');
  await other.close();
  console.log(database, 'frozen in', (performance.now() - t).toFixed(0), 'ms');
}
pg = await PGlite.create(dir);
await pg.exec(`alter database template0 allow_connections false`);
console.log(await ages());
await pg.close();
