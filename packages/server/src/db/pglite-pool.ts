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

  const client = {
    async query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
      const result = await statements.run(sql, parameters);
      return {
        command: commandOf(sql),
        rowCount: result.affectedRows ?? result.rows.length,
        rows: result.rows as R[],
      };
    },
  };

  return {
    async connect(): Promise<PostgresPoolClient> {
      let release!: () => void;
      const previous = tail;
      tail = new Promise<void>((resolve) => { release = resolve; });
      await previous;
      return { ...client, release } as unknown as PostgresPoolClient;
    },
    async end(): Promise<void> {
      await tail;
      await pglite.close();
    },
  };
}

function commandOf(sql: string): PostgresQueryResult<unknown>['command'] {
  const word = /^\s*(?:with\b[\s\S]*?\)\s*)?(\w+)/i.exec(sql)?.[1]?.toUpperCase();
  switch (word) {
    case 'INSERT': case 'UPDATE': case 'DELETE': case 'MERGE': case 'SELECT':
      return word;
    default:
      return 'SELECT';
  }
}
