import { describe, expect, it } from 'vitest';
import type { ParsedRow } from './import-record.js';
import { validateRows } from './validate-rows.js';

const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';

describe('validateRows', () => {
  it('normalizes identifiers and keeps hashes exactly as given', () => {
    const { records, problems } = validateRows([{ ref: 'line 1', row: { username: ' Ａlice ', email: 'Alice@EXAMPLE.com', password_hash: BCRYPT } }]);
    expect(problems).toEqual([]);
    expect(records).toEqual([{ ref: 'line 1', username: 'alice', email: 'Alice@example.com', passwordHash: BCRYPT, emailVerified: undefined, name: undefined, roles: undefined, disabled: undefined }]);
  });

  it('reports every problem with its line: identifiers, unknown hash formats, unknown APIs, duplicates', () => {
    const rows: ParsedRow[] = [
      { ref: 'line 1', row: { username: 'ok-user', email: 'ok@example.com' } },
      { ref: 'line 2', row: { username: 'pаypal' } },
      { ref: 'line 3', row: { email: 'not-an-email' } },
      { ref: 'line 4', row: { username: 'md5-user', password_hash: '5f4dcc3b5aa765d61d8327deb882cf99' } },
      { ref: 'line 5', row: { username: 'roles-user', roles: [{ api: 'https://nope.example.com', roles: ['x'] }] } },
      { ref: 'line 6', row: { username: 'OK-USER' } },
      { ref: 'line 7', row: { email: 'OK@example.com', username: 'other' } },
      { ref: 'line 8', row: {} },
      { ref: 'line 9', error: 'not valid JSON' },
    ];
    const { records, problems } = validateRows(rows, { knownApis: new Set(['https://api.example.com']) });
    expect(records.map((record) => record.ref)).toEqual(['line 1']);
    expect(problems).toEqual([
      { ref: 'line 2', reason: expect.stringContaining('one alphabet') },
      { ref: 'line 3', reason: expect.stringContaining('valid email') },
      { ref: 'line 4', reason: expect.stringMatching(/^password_hash: Unknown password hash format/) },
      { ref: 'line 5', reason: 'roles: the tenant has no API "https://nope.example.com"' },
      { ref: 'line 6', reason: 'duplicate username "ok-user" (first on line 1)' },
      { ref: 'line 7', reason: 'duplicate email "ok@example.com" (first on line 1)' },
      { ref: 'line 8', reason: 'a user needs a username or an email' },
      { ref: 'line 9', reason: 'not valid JSON' },
    ]);
    expect(JSON.stringify(problems)).not.toContain('5f4dcc3b');
  });
});
