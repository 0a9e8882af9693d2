import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../../db/database.js';
import { createTenantRepository } from '../../db/repositories/tenants.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { ImportBatchError, importUsers, type ImportOptions } from './import-users.js';
import type { ImportRecord } from './validate-rows.js';

const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';
const DJANGO = 'pbkdf2_sha256$600000$c2FsdHNhbHQ$Vf1Ua5GOcyU5CnQ7Bb/X8k6h8dLIqmnX3x+T3K3WOBI=';

let database: DatabaseHandle;
let tenant = '';
let tenantCount = 0;
const now = new Date('2026-02-01T10:00:00Z');
const deps = () => ({ db: database.db, clock: () => now });
const run = (records: ImportRecord[], options: Partial<ImportOptions> = {}) => importUsers(deps(), records, { tenantId: tenant, ...options });

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-import-');
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  tenant = `import-${++tenantCount}`;
  await createTenantRepository(database.db).insert({ id: tenant, name: tenant });
});

/** Users in a stable order (they share the fixed clock's created_at). */
const users = async () => (await createUserRepository(database.db).list(tenant)).sort((a, b) => (a.username ?? a.email ?? '').localeCompare(b.username ?? b.email ?? ''));
const revision = async () => (await createTenantRepository(database.db).find(tenant))?.revision;
const auditTypes = async () => (await database.db.selectFrom('audit_events').select('type').where('tenant_id', '=', tenant).orderBy('id').execute()).map((row) => row.type);
const numbered = (count: number, from = 1): ImportRecord[] =>
  Array.from({ length: count }, (_, index) => ({ ref: `line ${from + index}`, username: `user${from + index}`, email: `user${from + index}@example.com` }));

describe('importUsers', () => {
  it('creates users with the hash as given, and a re-run changes nothing', async () => {
    const records: ImportRecord[] = [
      { ref: 'line 1', username: 'alice', email: 'Alice@example.com', emailVerified: true, name: 'Alice', passwordHash: BCRYPT, roles: [{ api: 'https://api.example.com', roles: ['admin'] }] },
      { ref: 'line 2', email: 'bob@example.com', passwordHash: DJANGO, disabled: true },
      { ref: 'line 3', username: 'carol' },
    ];
    const first = await run(records);
    expect(first).toMatchObject({ created: 3, updated: 0, unchanged: 0, skipped: [], batches: 1, dryRun: false });
    const stored = await users();
    expect(stored.map((user) => [user.username, user.email, user.emailVerified, user.passwordHash, user.disabled])).toEqual([
      ['alice', 'Alice@example.com', true, BCRYPT, false], [null, 'bob@example.com', false, DJANGO, true], ['carol', null, false, null, false],
    ]);
    expect(stored[0]).toMatchObject({ name: 'Alice', roles: [{ api: 'https://api.example.com', roles: ['admin'] }], createdAt: now, passwordChangedAt: now });
    expect(await auditTypes()).toEqual(['user.imported', 'user.imported', 'user.imported']);
    const revisionAfterFirst = await revision();

    const second = await run(records);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 3, skipped: [] });
    expect(await revision()).toBe(revisionAfterFirst);
    expect(await auditTypes()).toHaveLength(3);
  });

  it('updates only what differs; never rolls back a changed password', async () => {
    await run([{ ref: 'line 1', username: 'dora', email: 'dora@example.com', emailVerified: true, passwordHash: BCRYPT }, { ref: 'line 2', username: 'eve' }]);
    const [dora] = await users();
    await createUserRepository(database.db).setPasswordHash(dora!.id, '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA');
    const summary = await run([
      { ref: 'line 1', username: 'dora', email: 'dora.new@example.com', passwordHash: BCRYPT },
      { ref: 'line 2', username: 'eve', passwordHash: DJANGO, name: 'Eve' },
    ]);
    expect(summary).toMatchObject({ created: 0, updated: 2, unchanged: 0, passwordsKept: ['line 1'] });
    const [doraAfter, eveAfter] = await users();
    expect(doraAfter).toMatchObject({ email: 'dora.new@example.com', emailVerified: false, passwordHash: expect.stringMatching(/^\$argon2id/) });
    expect(doraAfter!.securityStamp).not.toBe(dora!.securityStamp);
    expect(eveAfter).toMatchObject({ name: 'Eve', passwordHash: DJANGO });
    const updates = await database.db.selectFrom('audit_events').select(['subject', 'data']).where('tenant_id', '=', tenant).where('type', '=', 'user.updated').orderBy('id').execute();
    expect(updates.map((row) => row.data)).toEqual([
      { source: 'import', fields: ['email', 'emailVerified'] }, { source: 'import', fields: ['name', 'passwordHash'] },
    ]);

    const overwrite = await run([{ ref: 'line 1', email: 'dora.new@example.com', passwordHash: BCRYPT }], { overwritePasswords: true });
    expect(overwrite).toMatchObject({ updated: 1, passwordsKept: [] });
    expect((await users())[0]?.passwordHash).toBe(BCRYPT);
  });

  it('matches emails case-insensitively; skips existing users with onConflict skip, and identifiers that belong to two users', async () => {
    await run([{ ref: 'line 1', username: 'finn', email: 'finn@example.com' }, { ref: 'line 2', username: 'gail', email: 'gail@example.com' }]);
    const skip = await run([{ ref: 'line 1', email: 'FINN@example.com', name: 'Finn' }, { ref: 'line 2', username: 'hal' }], { onConflict: 'skip' });
    expect(skip).toMatchObject({ created: 1, updated: 0, skipped: [{ ref: 'line 1', reason: 'already exists (--on-conflict skip)' }] });
    const crossed = await run([{ ref: 'line 9', username: 'finn', email: 'gail@example.com' }]);
    expect(crossed.skipped).toEqual([{ ref: 'line 9', reason: 'email "gail@example.com" and username "finn" belong to two different users' }]);
    expect((await users()).map((user) => user.name)).toEqual([null, null, null]);
  });

  it('dry run counts against the database across batches and writes nothing', async () => {
    await run(numbered(3));
    const before = { users: await users(), revision: await revision(), audit: await auditTypes() };
    const records = [...numbered(3).map((record) => ({ ...record, name: 'Renamed' })), ...numbered(4, 4)];
    const summary = await run(records, { dryRun: true, batchSize: 2 });
    expect(summary).toMatchObject({ dryRun: true, created: 4, updated: 3, unchanged: 0, batches: 4 });
    expect(await users()).toEqual(before.users);
    expect(await revision()).toBe(before.revision);
    expect(await auditTypes()).toEqual(before.audit);
    expect(await run(records, { batchSize: 2 })).toMatchObject({ dryRun: false, created: 4, updated: 3 });
  });

  it('writes a batch whole or not at all: a failure mid-batch leaves nothing of it and stops', async () => {
    // A trigger stands in for any failure the validation cannot foresee (a concurrent sign-up, a lost connection).
    await sql`create or replace function refuse_boom() returns trigger language plpgsql as $$
      begin if new.username = 'boom' then raise exception 'boom refused'; end if; return new; end $$`.execute(database.db);
    await sql`create trigger refuse_boom before insert on users for each row execute function refuse_boom()`.execute(database.db);
    try {
      const records = [...numbered(3), { ref: 'line 4', username: 'boom' }, ...numbered(3, 5)];
      const failure = await run(records, { batchSize: 3 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ImportBatchError);
      const error = failure as ImportBatchError;
      expect(error.message).toMatch(/^batch 2 \(line 4 to line 6\) failed and was rolled back: .*boom refused/);
      expect(error.summary).toMatchObject({ created: 3, batches: 1 });
      expect((await users()).map((user) => user.username)).toEqual(['user1', 'user2', 'user3']);
      expect(await auditTypes()).toHaveLength(3);
    } finally {
      await sql`drop trigger refuse_boom on users`.execute(database.db);
    }
  });
});
