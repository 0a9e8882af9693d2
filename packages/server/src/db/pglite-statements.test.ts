import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PgliteStatements } from './pglite-statements.js';

let pglite: PGlite;
let statements: PgliteStatements;

/** Names of the statements the database holds prepared, as PostgreSQL itself reports them. */
async function preparedNames(): Promise<string[]> {
  const { rows } = await statements.run('select name from pg_prepared_statements order by name', []);
  return (rows as { name: string }[]).map((row) => row.name);
}

// One in-memory database for the file (creating one runs initdb, seconds of CPU); each test
// starts from no prepared statements and a new table.
beforeAll(async () => { pglite = await PGlite.create('memory://'); });
afterAll(() => pglite.close());

beforeEach(async () => {
  await pglite.exec('deallocate all; drop table if exists things');
  statements = new PgliteStatements(pglite, 3);
  await statements.run('create table things (id int primary key, label text, tags text[], body jsonb, at timestamptz, raw bytea, ok boolean)', []);
});

describe('statements on the embedded database', () => {
  it('prepares a statement once and reuses it for every later run', async () => {
    await statements.run('insert into things (id, label) values ($1, $2)', [1, 'one']);
    await statements.run('insert into things (id, label) values ($1, $2)', [2, 'two']);
    const { rows } = await statements.run('select id, label from things where id >= $1 order by id', [1]);
    expect(rows).toEqual([{ id: 1, label: 'one' }, { id: 2, label: 'two' }]);
    // Two distinct texts, two prepared statements, plus the one asking (three in all).
    expect(await preparedNames()).toHaveLength(3);
    expect(statements.size).toBe(3);
  });

  it('sends values as node-postgres does and reads them back with their types', async () => {
    const at = new Date('2026-11-24T10:00:00.123Z');
    await statements.run(
      'insert into things (id, label, tags, body, at, raw, ok) values ($1, $2, $3, $4, $5, $6, $7)',
      [1, 'quote \' and "double"', ['a', 'b,c', 'd"e'], { nested: { n: 1 }, list: [1, 2] }, at, Buffer.from([0, 1, 255]), true],
    );
    await statements.run('insert into things (id, label, tags, body, at, raw, ok) values ($1, $2, $3, $4, $5, $6, $7)', [2, null, undefined, null, null, null, false]);
    const { rows } = await statements.run('select * from things order by id', []);
    expect(rows).toEqual([
      { id: 1, label: 'quote \' and "double"', tags: ['a', 'b,c', 'd"e'], body: { nested: { n: 1 }, list: [1, 2] }, at, raw: new Uint8Array([0, 1, 255]), ok: true },
      { id: 2, label: null, tags: null, body: null, at: null, raw: null, ok: false },
    ]);
  });

  it('reports affected rows of writes, including a write inside a CTE, and none for reads', async () => {
    expect((await statements.run('insert into things (id) values (1), (2), (3)', [])).affectedRows).toBe(3);
    expect((await statements.run('update things set label = $1 where id <= $2', ['x', 2])).affectedRows).toBe(2);
    const cte = await statements.run('with gone as (delete from things where id = $1 returning id) insert into things (id) select id + 10 from gone', [3]);
    expect(cte.affectedRows).toBe(1);
    expect((await statements.run('delete from things where id > $1', [100])).affectedRows).toBe(0);
    const read = await statements.run('select id from things order by id', []);
    expect(read).toEqual({ rows: [{ id: 1 }, { id: 2 }, { id: 13 }], affectedRows: undefined, command: 'SELECT' });
    expect(cte.command).toBe('INSERT');
    expect((await statements.run('begin', [])).command).toBe('BEGIN');
    await statements.run('rollback', []);
  });

  it('reads a reply far larger than one piece of the database\'s output', async () => {
    // ~3 MB of rows arrives in several pieces; every row and value must come back whole.
    const { rows } = await statements.run("select n, repeat(chr(64 + n), 1000000) as body from generate_series(1, 3) as n", []);
    expect(rows.map((row) => { const { n, body } = row as { n: number; body: string }; return [n, body.length, new Set(body).size, body[0]]; }))
      .toEqual([[1, 1_000_000, 1, 'A'], [2, 1_000_000, 1, 'B'], [3, 1_000_000, 1, 'C']]);
  });

  it('throws the database error, and the next statement runs as usual', async () => {
    await statements.run('insert into things (id) values ($1)', [1]);
    await expect(statements.run('insert into things (id) values ($1)', [1])).rejects.toMatchObject({ code: '23505' });
    await expect(statements.run('select nonsense from things', [])).rejects.toMatchObject({ code: '42703' });
    const { rows } = await statements.run('select count(*)::int as n from things', []);
    expect(rows).toEqual([{ n: 1 }]);
    // The statement that never parsed was not remembered; the one that failed on its values was.
    expect(await preparedNames()).toHaveLength(3);
  });

  it('rolls a transaction back after a failed statement inside it', async () => {
    await statements.run('begin', []);
    await statements.run('insert into things (id) values ($1)', [1]);
    await expect(statements.run('insert into things (id) values ($1)', [1])).rejects.toMatchObject({ code: '23505' });
    await expect(statements.run('select 1 as one', [])).rejects.toMatchObject({ code: '25P02' });
    await statements.run('rollback', []);
    const { rows } = await statements.run('select count(*)::int as n from things', []);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('closes the least recently used statement beyond its limit', async () => {
    await statements.run('select 1 as a', []);
    await statements.run('select 2 as b', []);
    await statements.run('select 1 as a', []);
    await statements.run('select 3 as c', []);
    expect(statements.size).toBe(3);
    // `select 2` is now the least recently used; preparing `select 4` evicts it.
    await statements.run('select 4 as d', []);
    expect(statements.size).toBe(3);
    // Each eviction is closed at the start of the next call. This one prepares the question,
    // evicting `select 1`, which stays prepared until the call after.
    const { rows } = await statements.run('select statement from pg_prepared_statements order by statement', []);
    expect((rows as { statement: string }[]).map((row) => row.statement)).toEqual([
      'select 1 as a', 'select 3 as c', 'select 4 as d', 'select statement from pg_prepared_statements order by statement',
    ]);
    expect(statements.size).toBe(3);
  });

  it('forgets prepared statements when a table changes shape', async () => {
    await statements.run('insert into things (id) values (1)', []);
    await statements.run('select * from things', []);
    await statements.run('alter table things add column extra text default $$new$$', []);
    const { rows } = await statements.run('select * from things', []);
    expect(rows).toEqual([expect.objectContaining({ id: 1, extra: 'new' })]);
  });
});
