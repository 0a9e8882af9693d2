import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The embedded database (PGlite) is a single-process database: two processes opening the same
 * `DATA_DIR/pg` corrupt it. The process that opens it holds `DATA_DIR/tessera.lock` (its pid on
 * the first line, its role on the second). A lock left by a process that died is taken over.
 * With DATABASE_URL (PostgreSQL) no lock is needed: any number of servers and CLIs may run.
 */
export type LockRole = 'server' | 'cli';

export interface DataDirLock {
  file: string;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): void;
}

export class DataDirLockedError extends Error {
  readonly code = 'data_dir.locked';
  readonly pid: number;
  readonly role: LockRole;

  constructor(dataDir: string, pid: number, role: LockRole) {
    super(role === 'server'
      ? `the server (pid ${pid}) is using DATA_DIR (${dataDir}); stop it first, or use DATABASE_URL`
      : `another tessera command (pid ${pid}) is using DATA_DIR (${dataDir}); wait for it to finish, or use DATABASE_URL`);
    this.name = 'DataDirLockedError';
    this.pid = pid;
    this.role = role;
  }
}

export function lockFileOf(dataDir: string): string {
  return path.resolve(dataDir, 'tessera.lock');
}

/** Takes the data directory for this process; throws DataDirLockedError while a live process holds it. */
export function acquireDataDirLock(dataDir: string, role: LockRole): DataDirLock {
  const file = lockFileOf(dataDir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, `${process.pid}\n${role}\n`)) return holdLock(file);
    const holder = readLockHolder(dataDir);
    if (holder && holder.pid !== process.pid && isProcessAlive(holder.pid)) {
      throw new DataDirLockedError(path.resolve(dataDir), holder.pid, holder.role);
    }
    // Stale: its process is gone (or it is our own pid, left by an earlier life of this container).
    removeIfExists(file);
  }
  throw new Error(`data_dir.lock_contended: could not take ${file}; another tessera process is starting`);
}

/** Who holds the lock, if anyone (a stale lock is reported too; check isProcessAlive). */
export function readLockHolder(dataDir: string): { pid: number; role: LockRole } | undefined {
  let text: string;
  try {
    text = readFileSync(lockFileOf(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  const [pidLine, roleLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, role: roleLine?.trim() === 'cli' ? 'cli' : 'server' };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // After a restart the pid may belong to an unrelated program; on Linux, ask what it runs.
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /node|tessera/i.test(command);
  } catch {
    return true;
  }
}

function tryCreate(file: string, content: string): boolean {
  try {
    writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function removeIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function holdLock(file: string): DataDirLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8').split('\n')[0] === String(process.pid)) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  // `exit` runs on a normal exit and on process.exit(); signal handlers call process.exit().
  process.on('exit', release);
  return { file, release };
}
