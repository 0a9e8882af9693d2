import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { PgliteStatements } from './pglite-statements.js';

/**
 * A pool shim so Kysely's PostgresDialect can drive an in-process PGlite database.
 * PGlite is a single connection, so the pool hands out one client at a time; Kysely
 * holds it for the length of a query or a transaction, which serializes them.
 */
export function createPglitePool(pglite: PGlite): PostgresPool {
  let tail: Promise<void> = Promise.resolve();
  const statements = new PgliteStatements(pglite);

  /** Ends the current lease, letting the next `connect` through. */
  let endLease: () => void = () => {};
  // One client object for every lease (leases never overlap), so Kysely finds its connection
  // for it in its cache instead of wrapping a new object for every statement.
  const client = {
    async query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
      const result = await statements.run(sql, parameters);
      return {
        command: kyselyCommand(result.command),
        rowCount: result.affectedRows ?? result.rows.length,
        rows: result.rows as R[],
      };
    },
    release(): void {
      endLease();
    },
  };

  return {
    async connect(): Promise<PostgresPoolClient> {
      const previous = tail;
      let end!: () => void;
      tail = new Promise<void>((resolve) => { end = resolve; });
      await previous;
      endLease = end;
      return client as unknown as PostgresPoolClient;
    },
    async end(): Promise<void> {
      await tail;
      await pglite.close();
    },
  };
}

/** Kysely reads affected rows only for the writes it names; anything else (BEGIN, CREATE…) counts as a read. */
function kyselyCommand(command: string | undefined): PostgresQueryResult<unknown>['command'] {
  switch (command) {
    case 'INSERT': case 'UPDATE': case 'DELETE': case 'MERGE':
      return command;
    default:
      return 'SELECT';
  }
}
