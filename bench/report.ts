/** Formats measurements as a plain-text table plus each server's ratio to the baseline. */
import type { RunMeasurement } from './load.js';

/** Tessera must reach this share of the bare provider's requests/s in the same run. */
export const TARGET_RATIO = 0.9;

const columns: Array<{ title: string; cell: (m: RunMeasurement) => string }> = [
  { title: 'server', cell: (m) => m.server },
  { title: 'conns', cell: (m) => String(m.connections) },
  { title: 'req/s', cell: (m) => Math.round(m.requestsPerSecond).toLocaleString('en-US') },
  { title: 'p50 ms', cell: (m) => m.p50Ms.toFixed(1) },
  { title: 'p99 ms', cell: (m) => m.p99Ms.toFixed(1) },
  { title: 'non-2xx', cell: (m) => String(m.non2xx) },
  { title: 'CPU µs/req', cell: (m) => m.cpuMicrosPerRequest.toFixed(0) },
  { title: 'main µs', cell: (m) => m.mainThreadCpuMicrosPerRequest.toFixed(0) },
  { title: 'CPU use', cell: (m) => `${Math.round(m.cpuUtilisation * 100)}%` },
  { title: 'requests', cell: (m) => m.requests.toLocaleString('en-US') },
];

/** Rows grouped by connections, then in server order, whatever order they were measured in. */
export function formatTable(measurements: RunMeasurement[], serverOrder: string[]): string {
  const sorted = [...measurements].sort(
    (a, b) => a.connections - b.connections || serverOrder.indexOf(a.server) - serverOrder.indexOf(b.server),
  );
  const rows = [columns.map((c) => c.title), ...sorted.map((m) => columns.map((c) => c.cell(m)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const [header, ...body] = rows;
  return [line(header ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface RatioLine {
  server: string;
  connections: number;
  ratio: number;
  cpuRatio: number;
}

/** For every non-baseline measurement: its req/s and CPU µs/req divided by the baseline's. */
export function computeRatios(measurements: RunMeasurement[], baseline: string): RatioLine[] {
  return [...measurements]
    .sort((a, b) => a.connections - b.connections)
    .filter((m) => m.server !== baseline)
    .flatMap((m) => {
      const base = measurements.find((b) => b.server === baseline && b.connections === m.connections);
      if (!base) return [];
      return [
        {
          server: m.server,
          connections: m.connections,
          ratio: m.requestsPerSecond / base.requestsPerSecond,
          cpuRatio: m.cpuMicrosPerRequest / base.cpuMicrosPerRequest,
        },
      ];
    });
}

export function formatRatios(ratios: RatioLine[], baseline: string): string {
  return ratios
    .map((r) => {
      const verdict = r.ratio >= TARGET_RATIO ? 'meets' : 'BELOW';
      return (
        `${r.server} / ${baseline} @ ${r.connections} conns: ${r.ratio.toFixed(3)} req/s ` +
        `(${verdict} target ≥ ${TARGET_RATIO.toFixed(2)}), ${r.cpuRatio.toFixed(2)}× CPU per request`
      );
    })
    .join('\n');
}
