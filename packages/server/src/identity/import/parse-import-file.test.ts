import { pbkdf2Sync } from 'node:crypto';
import { createPasswordContext } from '@tessera/passwords';
import { describe, expect, it } from 'vitest';
import { ImportFileError, PLAINTEXT_REFUSED } from './import-record.js';
import { parseFirebaseParams } from './parse-firebase.js';
import { detectFormat, parseImportFile } from './parse-import-file.js';

const BCRYPT = '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW';

describe('JSON lines', () => {
  it('reads users with their line numbers, skipping blank lines', () => {
    const text = [
      '{"username":"alice","email":"alice@example.com","email_verified":true,"roles":[{"api":"https://api.example.com","roles":["admin"]}]}',
      '',
      '{"email":"bob@example.com","name":"Bob","password_hash":null,"disabled":false}',
    ].join('\n');
    const { format, rows } = parseImportFile(text, { fileName: 'users.jsonl' });
    expect(format).toBe('jsonl');
    expect(rows).toEqual([
      { ref: 'line 1', row: { username: 'alice', email: 'alice@example.com', email_verified: true, roles: [{ api: 'https://api.example.com', roles: ['admin'] }] } },
      { ref: 'line 3', row: { email: 'bob@example.com', name: 'Bob', disabled: false } },
    ]);
  });

  it('reports bad JSON, plaintext passwords, unknown fields and wrong types per line', () => {
    const text = ['{"username":', '{"username":"carol","password":"hunter2"}', '{"username":"dave","emial":"x"}', '{"username":"erin","email_verified":"yes"}'].join('\n');
    const rows = parseImportFile(text, { format: 'jsonl' }).rows;
    expect(rows.map((row) => row.ref)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    expect(rows[0]).toMatchObject({ error: expect.stringMatching(/^not valid JSON/) });
    expect(rows[1]).toEqual({ ref: 'line 2', error: PLAINTEXT_REFUSED });
    expect(rows[2]).toEqual({ ref: 'line 3', error: 'unknown field "emial"' });
    expect(rows[3]).toMatchObject({ error: expect.stringMatching(/^email_verified: /) });
  });

  it('refuses an empty file as a whole', () => {
    expect(() => parseImportFile('\n\n', { format: 'jsonl' })).toThrow(ImportFileError);
  });
});

describe('CSV', () => {
  it('reads a header row, empty cells as "not given", booleans and JSON roles', () => {
    const text = 'email,username,email_verified,name,roles,disabled\r\n'
      + 'alice@example.com,alice,yes,"Smith, Alice","[{""api"":""https://api.example.com"",""roles"":[""admin""]}]",\r\n'
      + 'bob@example.com,,0,,,1\r\n';
    const { format, rows } = parseImportFile(text, { fileName: 'users.csv' });
    expect(format).toBe('csv');
    expect(rows).toEqual([
      { ref: 'line 2', row: { email: 'alice@example.com', username: 'alice', email_verified: true, name: 'Smith, Alice', roles: [{ api: 'https://api.example.com', roles: ['admin'] }] } },
      { ref: 'line 3', row: { email: 'bob@example.com', email_verified: false, disabled: true } },
    ]);
  });

  it('refuses unknown columns and a password column for the whole file, bad cells per line', () => {
    expect(() => parseImportFile('email,nickname\na@example.com,x\n', { format: 'csv' })).toThrow(/unknown CSV column "nickname"/);
    expect(() => parseImportFile('email,password\na@example.com,x\n', { format: 'csv' })).toThrow(/plaintext passwords are refused/);
    const rows = parseImportFile('email,disabled,roles\na@example.com,maybe,\nb@example.com,,[oops\n', { format: 'csv' }).rows;
    expect(rows).toEqual([
      { ref: 'line 2', error: 'disabled: must be true or false, got "maybe"' },
      { ref: 'line 3', error: expect.stringMatching(/^roles: must be JSON/) },
    ]);
  });
});

describe('Auth0', () => {
  it('maps a bulk-import array: bcrypt, argon2 and names; refuses fast digests with the reason', () => {
    const argon2 = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Zt7dOYBDA8eUxUxNsXb2TAbJ52ClTnY0Y1ghn/4uiPo';
    const text = JSON.stringify([
      { email: 'a@example.com', email_verified: true, user_id: 'auth0|1', given_name: 'Ann', family_name: 'Lee', password_hash: BCRYPT, blocked: true },
      { email: 'b@example.com', username: 'bee', custom_password_hash: { algorithm: 'argon2', hash: { value: argon2, encoding: 'utf8' } } },
      { email: 'c@example.com', custom_password_hash: { algorithm: 'md5', hash: { value: '5f4dcc3b5aa765d61d8327deb882cf99', encoding: 'hex' } } },
    ]);
    const { format, rows } = parseImportFile(text, { fileName: 'auth0.json' });
    expect(format).toBe('auth0');
    expect(rows[0]).toEqual({ ref: 'user 1', row: { email: 'a@example.com', email_verified: true, name: 'Ann Lee', password_hash: BCRYPT, disabled: true } });
    expect(rows[1]).toEqual({ ref: 'user 2', row: { email: 'b@example.com', username: 'bee', password_hash: argon2 } });
    expect(rows[2]).toMatchObject({ ref: 'user 3', error: expect.stringContaining('algorithm "md5" is not supported') });
  });

  it('turns a PBKDF2 PHC string into a hash that verifies the password', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = pbkdf2Sync('correct horse', salt, 1000, 64, 'sha512');
    const phc = `$pbkdf2-sha512$i=1000,l=64$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
    const line = JSON.stringify({ email: 'p@example.com', user_id: 'auth0|2', custom_password_hash: { algorithm: 'pbkdf2', hash: { value: phc, encoding: 'utf8' } } });
    const [row] = parseImportFile(line, { fileName: 'export.json' }).rows;
    if (!row || !('row' in row) || !row.row.password_hash) throw new Error(`not parsed: ${JSON.stringify(row)}`);
    const passwords = createPasswordContext();
    expect(await passwords.verify('correct horse', row.row.password_hash)).toBe(true);
    expect(await passwords.verify('wrong horse', row.row.password_hash)).toBe(false);
  });
});

describe('Firebase', () => {
  const params = parseFirebaseParams('hash_config {\n  algorithm: SCRYPT,\n  base64_signer_key: jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==,\n  base64_salt_separator: Bw==,\n  rounds: 8,\n  mem_cost: 14,\n}\n');

  it('reads the hash config block and builds one Firebase scrypt string per user', () => {
    expect(params).toEqual({ signerKey: expect.stringMatching(/^jxspr8/), saltSeparator: 'Bw==', rounds: 8, memCost: 14 });
    const text = JSON.stringify({ users: [
      { localId: 'u1', email: 'f@example.com', emailVerified: true, displayName: 'Fay', passwordHash: 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==', salt: '42xEC+ixf3L2lw==' },
      { localId: 'u2', email: 'g@example.com' },
    ] });
    const { format, rows } = parseImportFile(text, { fileName: 'firebase.json', firebaseParams: params });
    expect(format).toBe('firebase');
    expect(rows[0]).toEqual({ ref: 'user 1 (localId u1)', row: { email: 'f@example.com', email_verified: true, name: 'Fay', password_hash: expect.stringMatching(/^\$firebase-scrypt\$v=1,ln=14,r=8\$/) } });
    expect(rows[1]).toEqual({ ref: 'user 2 (localId u2)', row: { email: 'g@example.com' } });
  });

  it('asks for the hash parameters when a user has a password', () => {
    const rows = parseImportFile(JSON.stringify({ users: [{ localId: 'u1', email: 'f@example.com', passwordHash: 'aGFzaA==', salt: 'c2FsdA==' }] }), { format: 'firebase' }).rows;
    expect(rows[0]).toMatchObject({ error: expect.stringContaining('--firebase-params') });
  });
});

describe('format detection', () => {
  it('goes by extension for CSV and by content for JSON', () => {
    expect(detectFormat('x.csv', '{"a":1}')).toBe('csv');
    expect(detectFormat('x.json', '{"users":[]}')).toBe('firebase');
    expect(detectFormat('x', '[{"email":"a@example.com"}]')).toBe('auth0');
    expect(detectFormat('x.json', '{"user_id":"auth0|1","email":"a@example.com"}\n')).toBe('auth0');
    expect(detectFormat('x.json', '{"email":"a@example.com"}\n')).toBe('jsonl');
    expect(detectFormat('users.txt', 'email\na@example.com\n')).toBe('csv');
  });
});
