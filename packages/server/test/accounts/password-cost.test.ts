import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPasswordContext } from '@tessera/passwords';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, protocolConfig, TENANT } from '../support/fixtures.js';
import { signInApi } from '../support/flows.js';
import { runCli } from '../support/server-process.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const OLD = { username: 'hashed-at-owasp-default', password: 'a password hashed before the cost changed' };
const storedHash = async (server: TestServer, username: string) =>
  (await server.db().selectFrom('users').select('password_hash').where('username', '=', username).executeTakeFirstOrThrow()).password_hash;

describe('TESSERA_ARGON2 sets the cost of new password hashes', () => {
  let server: TestServer;
  beforeAll(async () => {
    const oldHash = await createPasswordContext().hash(OLD.password); // m=19456,t=2,p=1
    const config = protocolConfig({ extraUsers: [{ username: OLD.username, emailVerified: true, passwordHash: oldHash }] });
    server = await startTestServer({ config, env: { TESSERA_ARGON2: 'm=12288,t=3' } });
  });
  afterAll(async () => { await server?.dispose(); });

  it('hashes new passwords with it, and re-hashes a weaker stored hash at the next sign-in', async () => {
    expect(server.output()).not.toMatch(/TESSERA_ARGON2/); // an OWASP configuration: no warning
    expect((await signInApi(server, TENANT, OLD.username, OLD.password)).status).toBe(200);
    expect((await signInApi(server, TENANT, ALICE.username, ALICE.password)).status).toBe(200);
    await server.stop();
    expect(await storedHash(server, ALICE.username)).toMatch(/^\$argon2id\$v=19\$m=12288,t=3,p=1\$/);
    expect(await storedHash(server, OLD.username)).toMatch(/^\$argon2id\$v=19\$m=12288,t=3,p=1\$/);
    const old = await server.db().selectFrom('users').select('id').where('username', '=', OLD.username).executeTakeFirstOrThrow();
    const rehashed = await server.db().selectFrom('audit_events').select(['subject', 'data']).where('type', '=', 'user.password_rehashed').execute();
    expect(rehashed).toEqual([{ subject: old.id, data: { from: 'argon2id', to: 'argon2id' } }]);
    await server.restart();
    expect((await signInApi(server, TENANT, OLD.username, OLD.password)).status).toBe(200);
    expect((await signInApi(server, TENANT, OLD.username, 'not the password')).status).toBe(400);
  });
});

describe('an invalid or, in production, weak TESSERA_ARGON2', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tessera-argon2-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const start = (extra: NodeJS.ProcessEnv) => runCli(['start', '--port', '0'], { cwd: dataDir, env: { ...process.env, TESSERA_DATA_DIR: path.join(dataDir, 'data'), ...extra } });

  it('stops the server before it opens anything, naming the variable', async () => {
    const invalid = await start({ TESSERA_ARGON2: 'm=19456,t=0' });
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toMatch(/TESSERA_ARGON2: out of range/);
    const weak = await start({ TESSERA_ARGON2: 'm=1024,t=1', NODE_ENV: 'production' });
    expect(weak.code).not.toBe(0);
    expect(weak.stderr).toMatch(/TESSERA_ARGON2=m=1024,t=1,p=1 is weaker than every argon2id configuration OWASP recommends/);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
