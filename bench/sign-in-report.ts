/** The sign-in benchmark's measurements (slices summed), its table and its ratios to the argon2 baseline. */
import type { Workload, WorkloadResult } from './sign-in-load.js';

/** The target: the sign-in path adds < 10 % over the hash itself. */
export const SIGN_IN_TARGET_RATIO = 0.9;

export interface SignInSlice {
  result: WorkloadResult;
  wallMicros: number;
  cpuMicros: number;
  mainThreadCpuMicros: number;
  bystanderCpuMicros: number;
}

export interface SignInMeasurement {
  workload: Workload;
  connections: number;
  operations: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerOperation: number;
  /** The part of it spent on the main (JavaScript) thread; the rest is mostly argon2 on libuv's threadpool. */
  mainThreadCpuMicrosPerOperation: number;
  cpuUtilisation: number;
  bystanderCpuUtilisation: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const sum = (slices: SignInSlice[], pick: (slice: SignInSlice) => number) => slices.reduce((total, s) => total + pick(s), 0);

export function summarizeSlices(workload: Workload, connections: number, slices: SignInSlice[]): SignInMeasurement {
  const latencies = slices.flatMap((s) => s.result.latenciesMs).sort((a, b) => a - b);
  const operations = sum(slices, (s) => s.result.completed);
  const cpuMicros = sum(slices, (s) => s.cpuMicros);
  const wallMicros = sum(slices, (s) => s.wallMicros);
  return {
    workload,
    connections,
    operations,
    perSecond: operations / sum(slices, (s) => s.result.seconds),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    cpuMicrosPerOperation: operations > 0 ? cpuMicros / operations : Number.NaN,
    mainThreadCpuMicrosPerOperation: operations > 0 ? sum(slices, (s) => s.mainThreadCpuMicros) / operations : Number.NaN,
    cpuUtilisation: cpuMicros / wallMicros,
    bystanderCpuUtilisation: sum(slices, (s) => s.bystanderCpuMicros) / wallMicros,
  };
}

const LABELS: Record<Workload, string> = {
  verify: 'argon2 verify',
  'sign-in': 'sign-in (one request)',
  'two-step': 'sign-in (create+submit)',
  path: 'path alone (no hash)',
};

const columns: Array<{ title: string; cell: (m: SignInMeasurement) => string }> = [
  { title: 'workload', cell: (m) => LABELS[m.workload] },
  { title: 'conns', cell: (m) => String(m.connections) },
  { title: 'ops/s', cell: (m) => m.perSecond.toFixed(1) },
  { title: 'p50 ms', cell: (m) => m.p50Ms.toFixed(1) },
  { title: 'p99 ms', cell: (m) => m.p99Ms.toFixed(1) },
  { title: 'CPU ms/op', cell: (m) => (m.cpuMicrosPerOperation / 1_000).toFixed(2) },
  { title: 'main ms', cell: (m) => (m.mainThreadCpuMicrosPerOperation / 1_000).toFixed(2) },
  { title: 'CPU use', cell: (m) => `${Math.round(m.cpuUtilisation * 100)}%` },
  { title: 'ops', cell: (m) => m.operations.toLocaleString('en-US') },
];

export function formatSignInTable(measurements: SignInMeasurement[]): string {
  const rows = [columns.map((c) => c.title), ...measurements.map((m) => columns.map((c) => c.cell(m)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const [header, ...body] = rows;
  return [line(header ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface SignInRatio {
  workload: Workload;
  connections: number;
  ratio: number;
  cpuRatio: number;
}

/** sign-in/s ÷ verify/s (and CPU per op ÷ CPU per verification) at each concurrency. */
export function computeSignInRatios(measurements: SignInMeasurement[]): SignInRatio[] {
  return measurements.flatMap((m) => {
    const base = measurements.find((b) => b.workload === 'verify' && b.connections === m.connections);
    if (!base || m.workload === 'verify' || m.workload === 'path') return [];
    return [{ workload: m.workload, connections: m.connections, ratio: m.perSecond / base.perSecond,
      cpuRatio: m.cpuMicrosPerOperation / base.cpuMicrosPerOperation }];
  });
}

export function formatSignInRatios(ratios: SignInRatio[]): string {
  return ratios
    .map((r) => {
      // The target is about a sign-in; the two-request form is shown beside it.
      const verdict = r.workload !== 'sign-in' ? '' : r.ratio >= SIGN_IN_TARGET_RATIO ? ' (meets target ≥ 0.90)' : ' (BELOW target ≥ 0.90)';
      return `${LABELS[r.workload]} / argon2 verify @ ${r.connections} conns: ${r.ratio.toFixed(3)}${verdict}, ${r.cpuRatio.toFixed(2)}× CPU per op`;
    })
    .join('\n');
}

/**
 * The path's own cost: CPU per sign-in of the Tessera whose hash costs nothing, as a share of one
 * verification, beside the main-thread CPU of a real sign-in that shares the core with argon2.
 */
export function formatPathCost(measurements: SignInMeasurement[]): string {
  const find = (workload: Workload, connections: number) => measurements.find((m) => m.workload === workload && m.connections === connections);
  return measurements
    .filter((m) => m.workload === 'path')
    .map((path) => {
      const verify = find('verify', path.connections);
      const signIn = find('sign-in', path.connections);
      const ms = (micros: number | undefined) => ((micros ?? Number.NaN) / 1_000).toFixed(2);
      const share = verify ? ` = ${((100 * path.cpuMicrosPerOperation) / verify.cpuMicrosPerOperation).toFixed(1)} % of a verification` : '';
      const beside = signIn ? `; with the hash on the same core the main thread spends ${ms(signIn.mainThreadCpuMicrosPerOperation)} ms` : '';
      return `path alone (no hash) @ ${path.connections} conns: ${ms(path.cpuMicrosPerOperation)} ms CPU per sign-in${share} (main ${ms(path.mainThreadCpuMicrosPerOperation)} ms)${beside}`;
    })
    .join('\n');
}
