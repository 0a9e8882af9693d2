/**
 * One measured run: autocannon (keep-alive connections) against a server's token endpoint,
 * with the server's CPU time read from /proc before and after.
 */
import autocannon from 'autocannon';
import type { Result } from 'autocannon';
import { readProcessTreeCpuMicros } from './cpu.js';
import type { BenchServer } from './servers.js';
import { TOKEN_REQUEST_HEADERS } from './token-request.js';

export interface RunMeasurement {
  server: string;
  connections: number;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  cpuMicrosPerRequest: number;
  /** Share of the run's wall time the server process spent on CPU (1 = one full core). */
  cpuUtilisation: number;
  /** Same share for the other (idle) servers, which share the server core. */
  bystanderCpuUtilisation: number;
}

function fire(server: BenchServer, connections: number, seconds: number): Promise<Result> {
  return autocannon({
    url: server.tokenUrl,
    method: 'POST',
    headers: TOKEN_REQUEST_HEADERS,
    body: server.body,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  });
}

/** Throws with the status code breakdown unless every response was 2xx. */
function assertAllSucceeded(server: BenchServer, phase: string, result: Result): void {
  if (result.non2xx === 0 && result.errors === 0 && result.timeouts === 0) return;
  throw new Error(
    `${server.label} (${phase}): ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; ` +
      `status codes ${JSON.stringify(result.statusCodeStats)}`,
  );
}

export async function warmUp(server: BenchServer, connections: number, seconds: number): Promise<void> {
  if (seconds === 0) return;
  assertAllSucceeded(server, 'warm-up', await fire(server, connections, seconds));
}

function readCpuMicros(servers: BenchServer[]): number {
  return servers.reduce((sum, server) => sum + readProcessTreeCpuMicros(server.pid), 0);
}

export async function measure(
  server: BenchServer,
  bystanders: BenchServer[],
  connections: number,
  seconds: number,
): Promise<RunMeasurement> {
  const cpuBefore = readProcessTreeCpuMicros(server.pid);
  const bystanderCpuBefore = readCpuMicros(bystanders);
  const startedAt = process.hrtime.bigint();
  const result = await fire(server, connections, seconds);
  const wallMicros = Number(process.hrtime.bigint() - startedAt) / 1_000;
  const cpuMicros = readProcessTreeCpuMicros(server.pid) - cpuBefore;
  const bystanderCpuMicros = readCpuMicros(bystanders) - bystanderCpuBefore;
  assertAllSucceeded(server, 'measure', result);
  const requests = result.requests.total;
  return {
    server: server.label,
    connections,
    requests,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    cpuMicrosPerRequest: requests > 0 ? cpuMicros / requests : Number.NaN,
    cpuUtilisation: cpuMicros / wallMicros,
    bystanderCpuUtilisation: bystanderCpuMicros / wallMicros,
  };
}
