import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../packages/server/src/db/database.js';
import { migrateToLatest } from '../packages/server/src/db/migrate.js';
import { createTenantRepository } from '../packages/server/src/db/repositories/tenants.js';
import { createUserRepository } from '../packages/server/src/db/repositories/users.js';
import { createAccountSessionRepository } from '../packages/server/src/db/repositories/account-sessions.js';
const { db, close } = await openDatabase({ dataDir: await mkdtemp(join(tmpdir(), 'wal-')) });
await migrateToLatest(db);
await createTenantRepository(db).insert({ id: 'acme', name: 'Acme' });
const user = (await createUserRepository(db).insert('acme', { username: 'ada', email: 'ada@acme.test', emailVerified: true, name: null, passwordHash: null, roles: [] })).id;
for (let round = 0; round < 2; round++) {
await sql`insert into account_sessions (id, tenant_id, user_id, token_hash, security_stamp, authenticated_at, expires_at) select gen_random_uuid(), 'acme', ${user}, 's' || g || random(), 's', now(), now() - interval '1 hour' from generate_series(1, 100000) g`.execute(db);
const repo = createAccountSessionRepository(db);
for (let i = 0; ; i++) {
  const w0 = (await sql<{ w: string }>`select pg_walfile_name(pg_current_wal_lsn()) as w`.execute(db)).rows[0]!.w;
  const t = performance.now(); const n = await repo.sweep(new Date()); const ms = performance.now() - t;
  const w1 = (await sql<{ w: string }>`select pg_walfile_name(pg_current_wal_lsn()) as w`.execute(db)).rows[0]!.w;
  if (ms > 5 || w0 !== w1) console.log(round, i, ms.toFixed(1), w0, w1);
  if (n < 1000) break;
}
}
await close();
