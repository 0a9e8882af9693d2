/**
 * A benchmarked server as a child process: started in its own process group, ready when a
 * line on stdout matches, stopped (whole group, SIGTERM then SIGKILL) even when the harness fails.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { parseBenchEnv } from './bench-settings.js';

export interface ServerProcess {
  pid: number;
  /** The first capture group of the ready pattern (the URL the server printed). */
  readyMatch: string;
  /** The last lines the process wrote, for error messages. */
  recentOutput(): string;
  stop(): Promise<void>;
}

export interface StartServerProcessOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  readyPattern: RegExp;
  timeoutMs: number;
}

const running = new Set<ChildProcess>();
const OUTPUT_LINES_KEPT = 40;

/** Kills every server still running; safe to call from an exit handler. */
export function killAllServerProcesses(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(force);
      running.delete(child);
      resolve();
    });
    killGroup(child, 'SIGTERM');
  });
}

export function startServerProcess(options: StartServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const recentOutput = () => lines.join('\n');
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      void stopChild(child).then(() =>
        reject(new Error(`${options.name}: ${reason}\n--- last output ---\n${recentOutput()}`)),
      );
    };
    const timer = setTimeout(() => fail(`not ready within ${options.timeoutMs} ms`), options.timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        lines.push(line);
        if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
        const match = options.readyPattern.exec(line);
        if (match && child.pid !== undefined) {
          clearTimeout(timer);
          resolve({ pid: child.pid, readyMatch: match[1] ?? '', recentOutput, stop: () => stopChild(child) });
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(`could not start: ${error.message}`));
    child.once('exit', (code, signal) => {
      running.delete(child);
      fail(`exited early (code ${code}, signal ${signal})`);
    });
  });
}

/**
 * Node.js flags for every server process: BENCH_NODE_FLAGS as given, and with BENCH_CPU_PROF=DIR
 * a V8 CPU profile written into DIR when the process stops.
 */
export function serverNodeFlags(): string[] {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return [...parseBenchEnv().BENCH_NODE_FLAGS, ...profile];
}
