import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError, lockFileOf } from './data-dir-lock.js';

const newDataDir = () => mkdtempSync(path.join(tmpdir(), 'tessera-lock-'));

/** A pid that surely belongs to no running process: that of a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(child.stdout.trim());
}

describe('data directory lock', () => {
  it('writes the pid, and removes the file on release', () => {
    const dataDir = newDataDir();
    const lock = acquireDataDirLock(dataDir, 'server');
    expect(readFileSync(lockFileOf(dataDir), 'utf8')).toBe(`${process.pid}\nserver\n`);
    lock.release();
    lock.release();
    expect(existsSync(lockFileOf(dataDir))).toBe(false);
  });

  it('refuses while a live process holds it, naming the pid', () => {
    const dataDir = newDataDir();
    // The parent of this test process (the vitest runner) is alive and is not us.
    writeFileSync(lockFileOf(dataDir), `${process.ppid}\nserver\n`);
    let error: unknown;
    try {
      acquireDataDirLock(dataDir, 'cli');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataDirLockedError);
    expect((error as Error).message).toBe(
      `the server (pid ${process.ppid}) is using DATA_DIR (${path.resolve(dataDir)}); stop it first, or use DATABASE_URL`,
    );
    expect(readFileSync(lockFileOf(dataDir), 'utf8')).toBe(`${process.ppid}\nserver\n`);
  });

  it('takes over a stale lock left by a dead process', () => {
    const dataDir = newDataDir();
    writeFileSync(lockFileOf(dataDir), `${deadPid()}\nserver\n`);
    const lock = acquireDataDirLock(dataDir, 'server');
    expect(readFileSync(lockFileOf(dataDir), 'utf8')).toBe(`${process.pid}\nserver\n`);
    lock.release();
  });

  it('does not remove a lock that another process took over', () => {
    const dataDir = newDataDir();
    const lock = acquireDataDirLock(dataDir, 'cli');
    writeFileSync(lockFileOf(dataDir), `${process.ppid}\nserver\n`);
    lock.release();
    expect(readFileSync(lockFileOf(dataDir), 'utf8')).toBe(`${process.ppid}\nserver\n`);
  });
});
