import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../server/free-port.js';
import { testDatabaseKind } from '../../test/support/test-database.js';
import { lockFileOf } from '../db/data-dir-lock.js';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'tessera-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The lock and the shutdown of the embedded database are what this checks; PostgreSQL runs are covered by the harness.
describe.skipIf(testDatabaseKind() !== 'embedded')('tessera start', () => {
  it('applies the demo, prints the ready line and demo help, and shuts down on SIGTERM releasing the lock', async () => {
    const port = await findFreePort();
    const dataDir = path.join(root, 'data');
    const env = Object.fromEntries(Object.entries(process.env)
      .filter(([key]) => !key.startsWith('TESSERA_') && !['DATABASE_URL', 'PORT', 'HOST'].includes(key)));
    const child = spawn(process.execPath, [BIN, 'start', '--demo', '--port', String(port)], {
      cwd: root, env: { ...env, TESSERA_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (/Tessera is listening on http:\/\/\S+\n[\s\S]*\/demo\/token/.test(stdout)) resolve();
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before ready:\n${stdout}\n${stderr}`)));
    });
    try {
      await ready;
      expect(stdout).toContain(`Tessera is listening on http://127.0.0.1:${port}\n  issuer http://localhost:${port}/admin\n  issuer http://localhost:${port}/demo\n`);
      // The management credential of the first start, printed once.
      const secret = /client tessera-admin in tenant "admin", secret (tsr_\w+)/.exec(stdout)?.[1];
      expect(secret).toMatch(/^tsr_[0-9A-Za-z]{43}$/);
      const management = await fetch(`http://127.0.0.1:${port}/admin/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`tessera-admin:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'tessera:management/.default' }),
      });
      expect(management.status).toBe(200);
      expect(stdout).toContain('alice / correct horse battery staple');
      expect(stdout).toContain(`curl -s -u weather-daemon:dev-only-secret-0123456789abcdef -d grant_type=client_credentials -d scope=api://weather/.default http://localhost:${port}/demo/token`);
      expect(readFileSync(lockFileOf(dataDir), 'utf8')).toBe(`${child.pid}\nserver\n`);
      const token = await fetch(`http://127.0.0.1:${port}/demo/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('weather-daemon:dev-only-secret-0123456789abcdef').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api://weather/.default' }),
      });
      expect(token.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: shutting down');
    // No deprecation warnings from our use of a dependency (Node prints them as `[CODE]` lines).
    expect(stderr).not.toMatch(/DeprecationWarning|FastifyDeprecation|\[(DEP|FSTDEP)\d+\]/);
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  });

  it('with --port 0 picks a free port, and the default public URL and every issuer name it', async () => {
    const env = Object.fromEntries(Object.entries(process.env)
      .filter(([key]) => !key.startsWith('TESSERA_') && !['DATABASE_URL', 'PORT', 'HOST'].includes(key)));
    const child = spawn(process.execPath, [BIN, 'start', '--port', '0'], {
      cwd: root, env: { ...env, TESSERA_DATA_DIR: path.join(root, 'data-port-0') }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /Tessera is listening on http:\/\/127\.0\.0\.1:(\d+)\n  issuer \S+\n/.exec(stdout);
        if (match) resolve(Number(match[1]));
      });
      void exited.then((code) => reject(new Error(`exited with ${code} before ready:\n${stdout}`)));
    });
    try {
      expect(port).toBeGreaterThan(0);
      expect(stdout).toContain(`  issuer http://localhost:${port}/admin\n`);
      const discovery = await fetch(`http://127.0.0.1:${port}/admin/.well-known/openid-configuration`);
      expect(discovery.status).toBe(200);
      const metadata = await discovery.json() as { issuer: string; token_endpoint: string };
      expect(metadata.issuer).toBe(`http://localhost:${port}/admin`);
      expect(metadata.token_endpoint).toBe(`http://localhost:${port}/admin/token`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
