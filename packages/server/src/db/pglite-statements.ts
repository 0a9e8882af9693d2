import type { PGlite } from '@electric-sql/pglite';
import pgUtils from 'pg/lib/utils.js';
import { serialize } from 'pg-protocol';
import type { BackendMessage, CommandCompleteMessage, DataRowMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';

/** How many distinct statements stay prepared; the least recently used is closed beyond it. */
export const MAX_PREPARED_STATEMENTS = 500;

/** Statements that read or write rows: prepared once and reused. Anything else runs unnamed. */
const REUSABLE = /^\s*(?:select|insert|update|delete|with|merge)\b/i;
/** Statements that may change a table's shape: prepared statements are closed after them. */
const SCHEMA_CHANGE = /^\s*(?:create|alter|drop|comment|grant|revoke)\b/i;

export interface StatementResult {
  rows: unknown[];
  affectedRows: number | undefined;
  /** The command tag's first word as the database reports it (`INSERT`, `SELECT`, `BEGIN`…). */
  command: string | undefined;
}

/**
 * Runs statements on the embedded database the way a PostgreSQL driver does on a socket: one
 * buffer holds Parse, Bind, Describe, Execute and Sync, so a statement is one call into the
 * database instead of PGlite's six (`query` asks for the parameter types first), and each distinct
 * statement text is parsed once as a named prepared statement and then only bound and executed.
 * On the token and sign-in paths this makes a statement about a third of the CPU it was.
 *
 * Parameters are serialized by node-postgres's own `prepareValue` (JSON for objects, array
 * literals for arrays, binary for buffers) and its `pg-protocol` messages, so the embedded
 * database and a PostgreSQL server receive exactly the same bytes; `pg-protocol` also encodes a
 * Bind several times faster than PGlite's copy of it (0.6 against 6 µs for a short one).
 * The reply is read the same way: PGlite's raw bytes go through `pg-protocol`'s parser, which
 * reads a row several times faster than PGlite's copy of it (a 100-row select of audit events
 * went from ~1.46 to ~0.48 ms of CPU); each value is then converted by PGlite's own type
 * parsers, as before.
 *
 * Not safe for concurrent use: the caller (the pool shim) runs one statement at a time.
 */
export class PgliteStatements {
  /** Statement text → prepared statement name, in least-recently-used order. */
  private readonly prepared = new Map<string, string>();
  /** Names to close at the start of the next call. */
  private closing: string[] = [];
  private counter = 0;

  constructor(private readonly pglite: PGlite, private readonly limit = MAX_PREPARED_STATEMENTS) {}

  async run(sql: string, parameters: readonly unknown[]): Promise<StatementResult> {
    // Only reusable texts are ever remembered, so a known text needs no second look.
    const known = this.prepared.get(sql);
    const reusable = known !== undefined || REUSABLE.test(sql);
    const name = known ?? (reusable ? `tessera_${++this.counter}` : '');
    const parts: Buffer[] = this.closing.map((closed) => serialize.close({ type: 'S', name: closed }));
    this.closing = [];
    if (known === undefined) parts.push(serialize.parse({ name, text: sql }));
    parts.push(
      serialize.bind({ statement: name, values: parameters.map(prepare) }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const reply = await this.exchange(Buffer.concat(parts));
    if (known !== undefined) this.touch(sql, known);
    else if (reusable && reply.parsed) this.remember(sql, name);
    if (reply.error) throw reply.error;
    if (!reusable && SCHEMA_CHANGE.test(sql)) this.forgetAll();
    return { rows: reply.rows, affectedRows: reply.affectedRows, command: reply.command };
  }

  /** Sends one batch of messages and reads the reply: rows with their values parsed, affected rows, the error if any. */
  private async exchange(request: Buffer): Promise<Reply> {
    const chunks: Buffer[] = [];
    // The chunks are views of the database's memory: copied before the next call reuses it.
    // `syncToFs: false`: Tessera's embedded database lives in a Node data directory (or in
    // memory for tests), whose filesystems write through on every write and have nothing to
    // sync; PGlite's sync step would only take its lock, ~6–13 µs of CPU per statement. The
    // SIGKILL test (test/durability.test.ts) shows every acknowledged write survives.
    await this.pglite.execProtocolRawStream(request, { syncToFs: false, onRawData: (chunk) => { chunks.push(Buffer.from(chunk)); } });
    const reply: Reply = { rows: [], affectedRows: undefined, command: undefined, parsed: false, error: undefined };
    let columns: RowDescriptionMessage['fields'] = [];
    // A parser per reply: one that a failing type parser left halfway cannot garble the next.
    new Parser().parse(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), (message: BackendMessage) => {
      switch (message.name) {
        case 'parseComplete': reply.parsed = true; break;
        case 'rowDescription': columns = (message as RowDescriptionMessage).fields; break;
        case 'dataRow': reply.rows.push(this.toRow(columns, (message as DataRowMessage).fields)); break;
        case 'commandComplete': Object.assign(reply, commandOutcome(message as CommandCompleteMessage)); break;
        case 'error': reply.error ??= message; break;
        default: break;
      }
    });
    return reply;
  }

  private toRow(columns: RowDescriptionMessage['fields'], values: (string | null)[]): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    const parsers = this.pglite.parsers;
    for (let i = 0; i < columns.length; i++) {
      const { name, dataTypeID } = columns[i]!;
      const value = values[i] ?? null;
      const parse = parsers[dataTypeID];
      row[name] = value === null || !parse ? value : parse(value, dataTypeID);
    }
    return row;
  }

  /** How many statements are prepared now (for tests). */
  get size(): number {
    return this.prepared.size;
  }

  private touch(sql: string, name: string): void {
    this.prepared.delete(sql);
    this.prepared.set(sql, name);
  }

  private remember(sql: string, name: string): void {
    this.prepared.set(sql, name);
    if (this.prepared.size <= this.limit) return;
    const [oldestSql, oldestName] = this.prepared.entries().next().value as [string, string];
    this.prepared.delete(oldestSql);
    this.closing.push(oldestName);
  }

  private forgetAll(): void {
    this.closing.push(...this.prepared.values());
    this.prepared.clear();
  }
}

interface Reply {
  rows: Record<string, unknown>[];
  affectedRows: number | undefined;
  command: string | undefined;
  /** The database accepted the statement text (ParseComplete). */
  parsed: boolean;
  error: unknown;
}

/** The command and the rows it wrote, from a tag such as `INSERT 0 3` or `UPDATE 2`; reads report no count. */
function commandOutcome(message: CommandCompleteMessage): Pick<Reply, 'command' | 'affectedRows'> {
  const [command] = message.text.split(' ', 1);
  const writes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' || command === 'COPY';
  return { command, affectedRows: writes ? Number(message.text.slice(message.text.lastIndexOf(' ') + 1)) : undefined };
}

function prepare(value: unknown): string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  return pgUtils.prepareValue(value) as string | Uint8Array | null;
}
