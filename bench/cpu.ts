/**
 * Server CPU time from /proc: utime + stime of a process and all its descendants (a CLI
 * may run the server in a child), in microseconds. Linux only.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

/** Parses /proc/<pid>/stat (or a thread's); fields after the `(comm)` start at field 3 (state), see proc(5). */
function readProcStat(pid: number, path = `/proc/${pid}/stat`): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [ppid, utime, stime] = [fields[1], fields[11], fields[12]].map(Number);
  return { pid, ppid: ppid ?? 0, cpuTicks: (utime ?? 0) + (stime ?? 0) };
}

function readAllProcStats(): ProcStat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcStat(Number(name)))
    .filter((stat): stat is ProcStat => stat !== undefined);
}

const ticksToMicros = (ticks: number) => (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;

/**
 * CPU microseconds consumed so far by the main thread of `pid` alone: the JavaScript thread.
 * The rest of a Node process's CPU is libuv's threadpool (argon2, WebCrypto signatures) and
 * V8's helper threads (garbage collection, compilation).
 */
function readMainThreadCpuMicros(pid: number): number {
  return ticksToMicros(readProcStat(pid, `/proc/${pid}/task/${pid}/stat`)?.cpuTicks ?? 0);
}

/**
 * Starts measuring a server process: the returned function gives the CPU it has used since,
 * in total (with its descendants) and on its main thread.
 */
export function startCpuMeter(pid: number): () => { cpuMicros: number; mainThreadCpuMicros: number } {
  const cpuBefore = readProcessTreeCpuMicros(pid);
  const mainBefore = readMainThreadCpuMicros(pid);
  return () => ({
    cpuMicros: readProcessTreeCpuMicros(pid) - cpuBefore,
    mainThreadCpuMicros: readMainThreadCpuMicros(pid) - mainBefore,
  });
}

/** CPU microseconds (user + system) consumed so far by `rootPid` and its descendants. */
export function readProcessTreeCpuMicros(rootPid: number): number {
  const stats = readAllProcStats();
  const tree = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of stats) {
      if (!tree.has(stat.pid) && tree.has(stat.ppid)) {
        tree.add(stat.pid);
        grew = true;
      }
    }
  }
  const ticks = stats.filter((stat) => tree.has(stat.pid)).reduce((sum, stat) => sum + stat.cpuTicks, 0);
  return ticksToMicros(ticks);
}
