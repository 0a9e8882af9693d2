import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/tessera.js', import.meta.url));
/** The one line the CLI prints once the server accepts requests. */
const READY_LINE = /Tessera is listening on (https?:\/\/\S+)\r?\n/;

export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  pid: number;
  /** Resolves with the printed URL once ready; rejects if the process exits or times out first. */
  ready: Promise<string>;
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<ServerExit>;
  hasExited(): boolean;
  /** SIGKILL goes to the whole process group (nothing can relay it); other signals to the process. */
  signal(signal: NodeJS.Signals): void;
}

/** Child processes still running, killed when the test worker exits so that none outlive it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one `tessera` command to completion, e.g. `['keys', 'rotate', '--tenant', 'demo']`. */
export function runCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Runs `node packages/server/bin/tessera.js start --config FILE` in its own process group,
 * appending everything it prints to `log`.
 */
export function spawnServer(options: {
  configFile: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (text: string) => void;
  startTimeoutMs: number;
}): ServerProcess {
  const child = spawn(process.execPath, [BIN, 'start', '--config', options.configFile], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let exit: ServerExit | undefined;
  const exited = new Promise<ServerExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      live.delete(child);
      // Whatever the server started (workers, a tsx wrapper's child) goes with it.
      killGroup(child, 'SIGKILL');
      options.log(`[harness] server exited (code ${code}, signal ${signal})\n`);
      resolve(exit);
    });
    child.once('error', (error) => {
      options.log(`[harness] spawn failed: ${error.message}\n`);
      exit = { code: null, signal: null };
      live.delete(child);
      resolve(exit);
    });
  });
  child.stderr.setEncoding('utf8').on('data', options.log);
  const ready = waitForReadyLine(child, exited, options);
  // An unobserved rejection must not crash the worker; callers await `ready` themselves.
  ready.catch(() => {});
  return {
    pid: child.pid ?? -1,
    ready,
    exited,
    hasExited: () => exit !== undefined,
    signal(signal) {
      if (exit) return;
      if (signal === 'SIGKILL') killGroup(child, signal);
      else child.kill(signal);
    },
  };
}

function waitForReadyLine(
  child: ChildProcess,
  exited: Promise<ServerExit>,
  options: { log: (text: string) => void; startTimeoutMs: number },
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let pending = '';
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      killGroup(child, 'SIGKILL');
      reject(new Error(`server did not print "Tessera is listening on …" within ${options.startTimeoutMs} ms`));
    }, options.startTimeoutMs);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      options.log(chunk);
      if (settled) return;
      pending += chunk;
      const match = READY_LINE.exec(pending);
      if (match?.[1]) {
        settled = true;
        clearTimeout(timer);
        resolve(match[1]);
      }
      pending = pending.slice(pending.lastIndexOf('\n') + 1);
    });
    void exited.then((exit) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready (code ${exit.code}, signal ${exit.signal})`));
    });
  });
}
