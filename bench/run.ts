/**
 * `npm run bench`: password sign-in against the bare argon2id verify rate (bench/sign-in.ts),
 * then client_credentials token issuance, Tessera against a bare oidc-provider configured the
 * same way, in the same run. BENCH_SUITES (token,sign-in,guard; default all) picks them. See docs/benchmarks.md.
 *
 * Env: BENCH_ALG (ES256|RS256), BENCH_DURATION (s, default 15), BENCH_WARMUP (s, default 2),
 * BENCH_SETTLE (s once per server after start, default 15), BENCH_NODE_FLAGS,
 * BENCH_SLICES (default 5), BENCH_CONNECTIONS (default 10,50), BENCH_SERVERS (default
 * bare,tessera; the first is the baseline).
 */
import { fileURLToPath } from 'node:url';
import { parseBenchEnv } from './bench-settings.js';
import type { BenchEnv } from './bench-settings.js';
import { pinHarness } from './cpu-pinning.js';
import type { CpuPinning } from './cpu-pinning.js';
import { runSlice, summarize, warmUp } from './load.js';
import type { RunMeasurement, Slice } from './load.js';
import { computeRatios, formatRatios, formatTable } from './report.js';
import { killAllServerProcesses } from './server-process.js';
import { startBenchServer } from './servers.js';
import { runGuardBenchmark } from './guard.js';
import { takeGuardSuite } from './guard-suite.js';
import { runSignInBenchmark } from './sign-in.js';
import { isBenchmarkSelected } from './sign-in-settings.js';
import type { BenchServer } from './servers.js';
import { assertIssuesExpectedToken } from './token-request.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

function labelServers(kinds: BenchEnv['BENCH_SERVERS']): string[] {
  return kinds.map((kind, i) => {
    const earlier = kinds.slice(0, i).filter((k) => k === kind).length;
    return earlier === 0 ? kind : `${kind}#${earlier + 1}`;
  });
}

/** Kills the servers and exits if the whole run takes far longer than planned. */
function armWatchdog(env: BenchEnv): NodeJS.Timeout {
  const runs = env.BENCH_SERVERS.length * env.BENCH_CONNECTIONS.length;
  const budgetMs = (runs * (env.BENCH_DURATION + env.BENCH_WARMUP) * 2 + env.BENCH_SERVERS.length * env.BENCH_SETTLE + 120) * 1_000;
  return setTimeout(() => {
    console.error(`bench: gave up after ${budgetMs / 1_000} s`);
    process.exit(1);
  }, budgetMs).unref();
}

async function startAndCheck(env: BenchEnv, pinning: CpuPinning): Promise<BenchServer[]> {
  const servers: BenchServer[] = [];
  const labels = labelServers(env.BENCH_SERVERS);
  for (const [i, kind] of env.BENCH_SERVERS.entries()) {
    const server = await startBenchServer(kind, { repoRoot, alg: env.BENCH_ALG, pinning, label: labels[i] ?? kind });
    servers.push(server);
    const token = await assertIssuesExpectedToken(server, env.BENCH_ALG);
    console.log(`${server.label}: pid ${server.pid}, ${server.tokenUrl}`);
    console.log(`  token ok: typ at+jwt, alg ${token.alg}, ${token.bytes} bytes, claims ${token.claims.join(',')}`);
  }
  return servers;
}

/** Idle servers share the server core; more than this share of it is worth a warning. */
const BYSTANDER_CPU_WARNING = 0.02;
/** A saturated server should use its whole core; less means something else ran on it. */
const SERVER_CPU_WARNING = 0.85;

function warnAboutContention(measurement: RunMeasurement): void {
  if (measurement.cpuUtilisation < SERVER_CPU_WARNING) {
    const share = Math.round(measurement.cpuUtilisation * 100);
    console.warn(`  warning: ${measurement.server} got only ${share}% of its core (machine busy?); req/s is low, CPU µs/req still holds`);
  }
  if (measurement.bystanderCpuUtilisation > BYSTANDER_CPU_WARNING) {
    const share = Math.round(measurement.bystanderCpuUtilisation * 100);
    console.warn(`  warning: idle servers used ${share}% of a core while ${measurement.server} was measured`);
  }
}

/**
 * Runs every server at every concurrency. The measured time is cut into slices and the servers
 * take turns (A B B A A B …), so a burst of background load lands on all of them alike.
 */
async function measureAtConcurrency(env: BenchEnv, servers: BenchServer[], connections: number) {
  const sliceCount = Math.min(env.BENCH_SLICES, env.BENCH_DURATION);
  const sliceSeconds = env.BENCH_DURATION / sliceCount;
  process.stdout.write(`${connections} conns: warm-up ${env.BENCH_WARMUP} s each, ${sliceCount} × ${sliceSeconds.toFixed(1)} s slices each `);
  for (const server of servers) await warmUp(server, connections, env.BENCH_WARMUP);
  const slices = new Map<BenchServer, Slice[]>(servers.map((server) => [server, []]));
  for (let i = 0; i < sliceCount; i++) {
    for (const server of i % 2 === 0 ? servers : [...servers].reverse()) {
      const bystanders = servers.filter((other) => other !== server);
      slices.get(server)?.push(await runSlice(server, bystanders, connections, sliceSeconds));
      process.stdout.write('.');
    }
  }
  const measurements = servers.map((server) => summarize(server, connections, slices.get(server) ?? []));
  console.log(` ${measurements.map((m) => `${m.server} ${Math.round(m.requestsPerSecond)} req/s`).join(', ')}`);
  measurements.forEach(warnAboutContention);
  return measurements;
}

/** Unmeasured load on each fresh server at the first concurrency, so no measurement sees its JIT warming up. */
async function settle(env: BenchEnv, servers: BenchServer[]): Promise<void> {
  const connections = env.BENCH_CONNECTIONS[0] ?? 1;
  if (env.BENCH_SETTLE === 0) return;
  console.log(`settling: ${env.BENCH_SETTLE} s of unmeasured load on each server at ${connections} connections`);
  for (const server of servers) await warmUp(server, connections, env.BENCH_SETTLE);
}

async function measureAll(env: BenchEnv, servers: BenchServer[]): Promise<RunMeasurement[]> {
  const measurements: RunMeasurement[] = [];
  for (const connections of env.BENCH_CONNECTIONS) {
    measurements.push(...(await measureAtConcurrency(env, servers, connections)));
  }
  return measurements;
}

async function main(): Promise<number> {
  const env = parseBenchEnv();
  const watchdog = armWatchdog(env);
  const pinning = pinHarness();
  console.log(`Token benchmark: client_credentials, ${env.BENCH_ALG} JWT access tokens for api://weather`);
  console.log(`CPU: ${pinning.description}`);
  console.log(
    `Load: autocannon, keep-alive, ${env.BENCH_DURATION} s per server and concurrency ` +
      `(in ${env.BENCH_SLICES} interleaved slices) after ${env.BENCH_WARMUP} s warm-up; each server first settles ${env.BENCH_SETTLE} s\n`,
  );
  let servers: BenchServer[] = [];
  try {
    servers = await startAndCheck(env, pinning);
    await settle(env, servers);
    console.log('');
    const measurements = await measureAll(env, servers);
    const baseline = servers[0]?.label ?? '';
    const ratios = computeRatios(measurements, baseline);
    console.log(`\n${new Date().toISOString()}  ${env.BENCH_ALG}  ${pinning.description}\n`);
    console.log(formatTable(measurements, servers.map((server) => server.label)));
    if (ratios.length > 0) console.log(`\n${formatRatios(ratios, baseline)}`);
    // A ratio below target is reported, not failed: a shared or noisy machine can cause it.
    return 0;
  } finally {
    clearTimeout(watchdog);
    await Promise.all(servers.map((server) => server.stop()));
  }
}

process.on('exit', killAllServerProcesses);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => process.exit(130));
}

/**
 * The benchmarks BENCH_SUITES selects, in the order docs/benchmarks.md gives: sign-in, token,
 * then the guard. Each suite arms and clears its own watchdog.
 */
async function runSelected(): Promise<number> {
  const { guard, rest } = takeGuardSuite();
  if (rest !== undefined) {
    process.env.BENCH_SUITES = rest;
    const signIn = isBenchmarkSelected('sign-in') ? await runSignInBenchmark({ repoRoot }) : 0;
    if (signIn !== 0) return signIn;
    const token = isBenchmarkSelected('token') ? await main() : 0;
    if (token !== 0) return token;
  }
  return guard ? runGuardBenchmark({ repoRoot }) : 0;
}

runSelected().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
