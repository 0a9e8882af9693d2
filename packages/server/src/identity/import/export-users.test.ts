import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../../test/support/test-database.js';
import type { DatabaseHandle } from '../../db/database.js';
import { createTenantRepository } from '../../db/repositories/tenants.js';
import { createUserRepository, type User } from '../../db/repositories/users.js';
import { formatExport, toExportRow, type ExportFormat } from './export-users.js';
import { importUsers } from './import-users.js';
import { parseImportFile } from './parse-import-file.js';
import { validateRows } from './validate-rows.js';

const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';

let database: DatabaseHandle;
const deps = () => ({ db: database.db, clock: () => new Date('2026-02-01T10:00:00Z') });

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-export-');
  for (const id of ['source', 'copy-jsonl', 'copy-csv']) await createTenantRepository(database.db).insert({ id, name: id });
  await importUsers(deps(), [
    { ref: 'line 1', username: 'alice', email: 'Alice@example.com', emailVerified: true, name: 'Smith, "Al"', passwordHash: BCRYPT, roles: [{ api: 'https://api.example.com', roles: ['admin', 'reader'] }] },
    { ref: 'line 2', email: 'bob@example.com', disabled: true },
    { ref: 'line 3', username: 'carol', name: ' Carol ' },
  ], { tenantId: 'source' });
});
afterAll(async () => {
  await database.close();
});

const list = (tenant: string) => createUserRepository(database.db).list(tenant);
const essentials = (users: User[]) => users
  .map((user) => ({ username: user.username, email: user.email, emailVerified: user.emailVerified, name: user.name, passwordHash: user.passwordHash, roles: user.roles, disabled: user.disabled }))
  .sort((a, b) => (a.username ?? a.email ?? '').localeCompare(b.username ?? b.email ?? ''));

describe('user export', () => {
  it('leaves password hashes out unless asked for', async () => {
    const users = await list('source');
    const plain = formatExport(users.map((user) => toExportRow(user, { includePasswordHashes: false })), 'jsonl', { includePasswordHashes: false });
    expect(plain).not.toContain('password_hash');
    expect(plain).not.toContain('$2b$');
    const csv = formatExport(users.map((user) => toExportRow(user, { includePasswordHashes: false })), 'csv', { includePasswordHashes: false });
    expect(csv.split('\r\n')[0]).toBe('username,email,email_verified,name,roles,disabled');
    const withHashes = formatExport(users.map((user) => toExportRow(user, { includePasswordHashes: true })), 'csv', { includePasswordHashes: true });
    expect(withHashes).toContain(BCRYPT);
  });

  it.each<ExportFormat>(['jsonl', 'csv'])('round-trips through %s: the import recreates the same users, and a second import changes nothing', async (format) => {
    const text = formatExport((await list('source')).map((user) => toExportRow(user, { includePasswordHashes: true })), format, { includePasswordHashes: true });
    const { rows } = parseImportFile(text, { fileName: `users.${format}` });
    const { records, problems } = validateRows(rows);
    expect(problems).toEqual([]);
    const tenantId = `copy-${format}`;
    expect(await importUsers(deps(), records, { tenantId })).toMatchObject({ created: 3, updated: 0 });
    expect(essentials(await list(tenantId))).toEqual(essentials(await list('source')));
    expect(await importUsers(deps(), records, { tenantId: 'source' })).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });
});
