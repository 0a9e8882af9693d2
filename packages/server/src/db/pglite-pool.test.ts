import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPglitePool } from './pglite-pool.js';

interface Things { things: { id: number } }

let db: Kysely<Things>;

beforeEach(async () => {
  db = new Kysely<Things>({ dialect: new PostgresDialect({ pool: createPglitePool(await PGlite.create('memory://')) }) });
  await sql`create table things (id int primary key)`.execute(db);
});

afterEach(async () => {
  await db.destroy();
});

/** Lets the event loop turn, so that a waiting lease would get its chance to cut in. */
const turn = () => new Promise<void>((resolve) => { setImmediate(resolve); });

describe('the embedded database behind Kysely', () => {
  it('counts the rows a statement wrote, as the database reports them, including a write inside a CTE', async () => {
    const inserted = await db.insertInto('things').values([{ id: 1 }, { id: 2 }]).executeTakeFirstOrThrow();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);
    // The count is the outer statement's, as PostgreSQL reports it (the CTE's own row is not in it).
    const copied = await sql`with added as (insert into things (id) values (${5}) returning id) insert into things (id) select id + 10 from added`.execute(db);
    expect(copied.numAffectedRows).toBe(1n);
    expect(await db.selectFrom('things').select('id').orderBy('id').execute()).toEqual([{ id: 1 }, { id: 2 }, { id: 5 }, { id: 15 }]);
    const deleted = await db.deleteFrom('things').where('id', '>', 100).executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(0n);
  });

  it('runs a statement from elsewhere only after a transaction ends, never inside it', async () => {
    const failing = db.transaction().execute(async (trx) => {
      await trx.insertInto('things').values({ id: 1 }).execute();
      await turn();
      await turn();
      throw new Error('changed my mind');
    });
    const outside = db.insertInto('things').values({ id: 2 }).execute();
    await expect(failing).rejects.toThrow('changed my mind');
    await outside;
    // Had the second insert run inside the transaction, the rollback would have taken it too.
    expect(await db.selectFrom('things').select('id').orderBy('id').execute()).toEqual([{ id: 2 }]);
  });
});
