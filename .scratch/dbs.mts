import { PGlite } from '@electric-sql/pglite';
import { mkdtemp } from 'node:fs/promises'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const pg = await PGlite.create(await mkdtemp(join(tmpdir(), 'dbs-')));
console.log((await pg.query(`select current_database()`)).rows, (await pg.query(`select datname, datallowconn, datfrozenxid::text, age(datfrozenxid) from pg_database`)).rows, (await pg.query(`select txid_current()`)).rows);
console.log((await pg.query(`show autovacuum_freeze_max_age`)).rows, (await pg.query(`show vacuum_freeze_table_age`)).rows);
