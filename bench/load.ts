/**
 * Load generation: autocannon (keep-alive connections) against a server's token endpoint, in
 * slices, with the server's CPU time read from /proc around each slice. Slices of different
 * servers are interleaved by the caller so that background load on a shared machine falls on
 * all servers alike; a server's slices are then summed into one measurement.
 */
import autocannon from 'autocannon';
import type { Options, RawResult } from 'autocannon';
import { readProcessTreeCpuMicros, startCpuMeter } from './cpu.js';
import type { BenchServer } from './servers.js';
import { TOKEN_REQUEST_HEADERS } from './token-request.js';

export interface Slice {
  result: RawResult;
  wallMicros: number;
  cpuMicros: number;
  mainThreadCpuMicros: number;
  bystanderCpuMicros: number;
}

export interface RunMeasurement {
  server: string;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  cpuMicrosPerRequest: number;
  /** The part of it spent on the server's main (JavaScript) thread. */
  mainThreadCpuMicrosPerRequest: number;
  /** Share of the measured wall time the server process spent on CPU (1 = one full core). */
  cpuUtilisation: number;
  /** Same share for the other (idle) servers, which share the server core. */
  bystanderCpuUtilisation: number;
}

function loadOptions(server: BenchServer, connections: number, seconds: number): Options {
  return {
    url: server.tokenUrl,
    method: 'POST',
    headers: TOKEN_REQUEST_HEADERS,
    body: server.body,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  };
}

/** Throws with the status code breakdown unless every response was 2xx. */
function assertAllSucceeded(server: BenchServer, phase: string, result: RawResult): void {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0) return;
  throw new Error(
    `${server.label} (${phase}): ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
      `status codes ${JSON.stringify(result.statusCodeStats)}`,
  );
}

function fire(server: BenchServer, connections: number, seconds: number): Promise<RawResult> {
  return autocannon({ ...loadOptions(server, connections, seconds), skipAggregateResult: true });
}

export async function warmUp(server: BenchServer, connections: number, seconds: number): Promise<void> {
  if (seconds === 0) return;
  assertAllSucceeded(server, 'warm-up', await fire(server, connections, seconds));
}

function readCpuMicros(servers: BenchServer[]): number {
  return servers.reduce((sum, server) => sum + readProcessTreeCpuMicros(server.pid), 0);
}

export async function runSlice(
  server: BenchServer,
  bystanders: BenchServer[],
  connections: number,
  seconds: number,
): Promise<Slice> {
  const serverCpu = startCpuMeter(server.pid);
  const bystanderCpuBefore = readCpuMicros(bystanders);
  const startedAt = process.hrtime.bigint();
  const result = await fire(server, connections, seconds);
  const wallMicros = Number(process.hrtime.bigint() - startedAt) / 1_000;
  const { cpuMicros, mainThreadCpuMicros } = serverCpu();
  const bystanderCpuMicros = readCpuMicros(bystanders) - bystanderCpuBefore;
  assertAllSucceeded(server, 'measure', result);
  return { result, wallMicros, cpuMicros, mainThreadCpuMicros, bystanderCpuMicros };
}

const sum = (slices: Slice[], pick: (slice: Slice) => number) => slices.reduce((total, s) => total + pick(s), 0);

/** One measurement from a server's slices: totals summed, latency histograms merged. */
export function summarize(server: BenchServer, connections: number, slices: Slice[]): RunMeasurement {
  const merged = autocannon.aggregateResult(
    slices.map((slice) => slice.result),
    loadOptions(server, connections, 1),
  );
  const requests = sum(slices, (s) => s.result.totalCompletedRequests);
  const cpuMicros = sum(slices, (s) => s.cpuMicros);
  const wallMicros = sum(slices, (s) => s.wallMicros);
  return {
    server: server.label,
    connections,
    requests,
    requestsPerSecond: requests / sum(slices, (s) => s.result.duration),
    p50Ms: merged.latency.p50,
    p99Ms: merged.latency.p99,
    non2xx: merged.non2xx,
    cpuMicrosPerRequest: requests > 0 ? cpuMicros / requests : Number.NaN,
    mainThreadCpuMicrosPerRequest: requests > 0 ? sum(slices, (s) => s.mainThreadCpuMicros) / requests : Number.NaN,
    cpuUtilisation: cpuMicros / wallMicros,
    bystanderCpuUtilisation: sum(slices, (s) => s.bystanderCpuMicros) / wallMicros,
  };
}
