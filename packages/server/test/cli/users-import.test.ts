import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/index.js';

/**
 * `tessera users import` and `users export` end to end, through the real binary on the
 * test server's database (embedded or PostgreSQL). The logic itself is tested in
 * src/identity/import/*.test.ts; here: exit codes, what is printed, and what is stored.
 */

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const CONFIG = `
tenants:
  - id: demo
    apis:
      - identifier: api://weather
        name: Weather API
        scopes: [weather.read]
  - id: copy
    apis:
      - identifier: api://weather
        name: Weather API
        scopes: [weather.read]
`;
const DJANGO = 'pbkdf2_sha256$600000$Xz9Pq2Lm7Rt4$LY5OZSr/Bb83V5AFHVXVQnJbtPmLYrvG0iu4stwDDoo=';
const BCRYPT = '$2b$10$204KAe1sCPhdy5EV4WG7zuCE1V3o7bKR9zUq8n0uHMLwEk8K.B/Qm';

let server: TestServer;
const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  server = await startTestServer({ config: CONFIG });
  await server.stop(); // the embedded database is single-process: the CLI needs the data directory
});
afterAll(() => server?.dispose());

describe('tessera users import', () => {
  it('lists every invalid line and imports nothing without --skip-invalid', async () => {
    const run = await server.cli(['users', 'import', fixture('users.jsonl'), '--tenant', 'demo']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('invalid (line 3: password_hash: Unknown password hash format');
    expect(run.stderr).toContain('invalid (line 6: duplicate email "grace@example.com" (first on line 1))');
    expect(run.stderr).toContain('tessera: 2 invalid lines in');
    expect(run.stderr).not.toContain('5f4dcc3b'); // a hash is never echoed
  });

  it('dry run counts, then the import creates, and a re-run is idempotent', async () => {
    const args = ['users', 'import', fixture('users.jsonl'), '--tenant', 'demo', '--skip-invalid', '--json'];
    const dry = await server.cli([...args, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ format: 'jsonl', dryRun: true, created: 3, updated: 0, unchanged: 0 });

    const real = await server.cli([...args, '--batch-size', '2']);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({
      dryRun: false, batches: 2, created: 3, updated: 0, unchanged: 0,
      skipped: [{ ref: 'line 3', reason: expect.stringContaining('Unknown password hash format') }, { ref: 'line 6', reason: expect.stringContaining('duplicate email') }],
    });

    const again = await server.cli(['users', 'import', fixture('users.jsonl'), '--tenant', 'demo', '--skip-invalid']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('  skipped (line 3: password_hash: Unknown password hash format');
    expect(again.stdout).toContain('Created 0, updated 0, unchanged 3, skipped 2.');
  });

  it('imports an Auth0 bulk file: PBKDF2 and bcrypt kept, md5 skipped with the reason', async () => {
    const run = await server.cli(['users', 'import', fixture('auth0-users.json'), '--tenant', 'demo', '--skip-invalid']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('skipped (user 3: custom_password_hash algorithm "md5" is not supported');
    expect(run.stdout).toContain('Created 2, updated 0, unchanged 0, skipped 1.');
  });
});

describe('tessera users export', () => {
  it('leaves hashes out by default; with the flag warns and writes an owner-only file that round-trips', async () => {
    const plain = await server.cli(['users', 'export', '--tenant', 'demo']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    const users = jsonLines(plain.stdout);
    expect(users.map((user) => user.email).sort()).toEqual(['ada@example.com', 'grace@example.com', 'kim@example.com', 'linus@example.com', 'lou@example.com']);
    expect(plain.stdout).not.toContain('password_hash');
    expect(users.find((user) => user.username === 'grace')).toEqual({
      username: 'grace', email: 'grace@example.com', email_verified: true, name: 'Grace Hopper',
      roles: [{ api: 'api://weather', roles: ['forecaster'] }], disabled: false,
    });

    const file = path.join(server.dataDir, '..', 'demo-users.csv');
    const withHashes = await server.cli(['users', 'export', '--tenant', 'demo', '--include-password-hashes', '--output', file]);
    expect(withHashes.code).toBe(0);
    expect(withHashes.stderr).toMatch(/^Warning: the export contains password hashes/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const csv = await readFile(file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('username,email,email_verified,name,password_hash,roles,disabled');
    expect(csv).toContain(DJANGO);
    expect(csv).toContain(BCRYPT);

    const imported = await server.cli(['users', 'import', file, '--tenant', 'copy', '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ format: 'csv', created: 5, skipped: [] });
    const copy = await server.cli(['users', 'export', '--tenant', 'copy', '--include-password-hashes']);
    const byEmail = (text: string) => jsonLines(text).sort((a, b) => String(a.email).localeCompare(String(b.email)));
    const copied = byEmail(copy.stdout);
    expect(copied.map(({ password_hash: _, ...rest }) => rest)).toEqual(byEmail(plain.stdout));
    expect(copied.find((user) => user.username === 'grace')?.password_hash).toBe(DJANGO);
    expect(copied.find((user) => user.username === 'linus')?.password_hash).toBe(BCRYPT);
  });
});
