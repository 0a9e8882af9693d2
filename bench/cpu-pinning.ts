/**
 * Pins servers and harness to different cores so the load generator does not steal the
 * server's CPU: each server runs on core 0, the harness (autocannon) on core 1.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export const SERVER_CORE = 0;
export const HARNESS_CORE = 1;

export interface CpuPinning {
  cores: number;
  /** Whether servers are started under `taskset -c SERVER_CORE`. */
  pinned: boolean;
  /** Human-readable summary printed with the results. */
  description: string;
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Cores this process may use, read before {@link pinHarness} narrows them to one. */
const MACHINE_CORES = availableParallelism();

/** Pins every thread of this process to the harness core when possible (again, for each suite). */
export function pinHarness(): CpuPinning {
  const cores = MACHINE_CORES;
  if (!hasTaskset() || cores < 2) {
    const why = cores < 2 ? 'only 1 core' : 'taskset not found';
    return { cores, pinned: false, description: `not pinned (${why}); machine has ${cores} core(s)` };
  }
  execFileSync('taskset', ['-a', '-p', '-c', String(HARNESS_CORE), String(process.pid)], { stdio: 'ignore' });
  return {
    cores,
    pinned: true,
    description: `each server pinned to core ${SERVER_CORE} (taskset), harness/autocannon on core ${HARNESS_CORE}; machine has ${cores} cores`,
  };
}

/** The command line that starts `command` on the server core (or unpinned). */
export function pinnedCommand(pinning: CpuPinning, command: string, args: string[]): [string, string[]] {
  return pinning.pinned ? ['taskset', ['-c', String(SERVER_CORE), command, ...args]] : [command, args];
}
