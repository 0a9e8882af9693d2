/**
 * The sign-in benchmark (`npm run bench`, BENCH_SUITES=sign-in for it alone): password
 * sign-ins per second through Tessera's flows JSON API, against the bare argon2id verification
 * rate with the same parameters on the same core, in the same run; and, beside them, the path
 * alone: sign-ins on a second Tessera whose argon2 cost is the smallest there is. See
 * docs/benchmarks.md.
 *
 * Env: BENCH_DURATION, BENCH_WARMUP, BENCH_SETTLE, BENCH_SLICES, BENCH_NODE_FLAGS (as the token benchmark),
 * BENCH_SIGNIN_CONNECTIONS (default: threadpool size and 4× it), UV_THREADPOOL_SIZE.
 */
import { createPasswordContext, OWASP_ARGON2ID } from '@tessera/passwords';
import { parseBenchEnv } from './bench-settings.js';
import type { BenchEnv } from './bench-settings.js';
import { pinHarness } from './cpu-pinning.js';
import { readProcessTreeCpuMicros, startCpuMeter } from './cpu.js';
import { runSignIns, runVerifies, signInOnce, signInTwoStep, WORKLOADS } from './sign-in-load.js';
import type { Workload, WorkloadResult } from './sign-in-load.js';
import { PATH_ONLY_SETTING, startPathOnlyTessera, startSignInTessera, startVerifier } from './sign-in-processes.js';
import type { SignInProcess } from './sign-in-processes.js';
import { computeSignInRatios, formatPathCost, formatSignInRatios, formatSignInTable, summarizeSlices } from './sign-in-report.js';
import type { SignInMeasurement, SignInSlice } from './sign-in-report.js';
import { parseSignInEnv, SIGN_IN_USER, threadpoolSize } from './sign-in-settings.js';

interface Setup {
  env: BenchEnv;
  tessera: SignInProcess;
  verifier: SignInProcess;
  /** Tessera with the cheapest argon2 cost (PATH_ONLY_ARGON2), for the `path` workload. */
  pathOnly: SignInProcess;
}

const PROCESS_OF: Record<Workload, (setup: Setup) => SignInProcess> = {
  verify: (setup) => setup.verifier,
  'sign-in': (setup) => setup.tessera,
  'two-step': (setup) => setup.tessera,
  path: (setup) => setup.pathOnly,
};

function runWorkload(setup: Setup, workload: Workload, seconds: number, connections: number): Promise<WorkloadResult> {
  const { url } = PROCESS_OF[workload](setup);
  if (workload === 'verify') return runVerifies(url, seconds, connections);
  return runSignIns(url, seconds, connections, workload === 'two-step' ? signInTwoStep : signInOnce);
}

const allCpuMicros = (processes: SignInProcess[]) => processes.reduce((sum, p) => sum + readProcessTreeCpuMicros(p.pid), 0);

async function measureSlice(setup: Setup, workload: Workload, seconds: number, connections: number): Promise<SignInSlice> {
  const server = PROCESS_OF[workload](setup);
  const bystanders = [setup.tessera, setup.verifier, setup.pathOnly].filter((p) => p !== server);
  const serverCpu = startCpuMeter(server.pid);
  const bystandersBefore = allCpuMicros(bystanders);
  const startedAt = process.hrtime.bigint();
  const result = await runWorkload(setup, workload, seconds, connections);
  const wallMicros = Number(process.hrtime.bigint() - startedAt) / 1_000;
  const { cpuMicros, mainThreadCpuMicros } = serverCpu();
  const bystanderCpuMicros = allCpuMicros(bystanders) - bystandersBefore;
  return { result, wallMicros, cpuMicros, mainThreadCpuMicros, bystanderCpuMicros };
}

/** Warm-up, then the workloads take turns slice by slice (A B C, C B A, …) as in the token benchmark. */
async function measureAtConcurrency(setup: Setup, connections: number): Promise<SignInMeasurement[]> {
  const { BENCH_DURATION, BENCH_SLICES, BENCH_WARMUP } = setup.env;
  const sliceCount = Math.min(BENCH_SLICES, BENCH_DURATION);
  const sliceSeconds = BENCH_DURATION / sliceCount;
  process.stdout.write(`${connections} conns: warm-up ${BENCH_WARMUP} s each, ${sliceCount} × ${sliceSeconds.toFixed(1)} s slices each `);
  if (BENCH_WARMUP > 0) for (const workload of WORKLOADS) await measureSlice(setup, workload, BENCH_WARMUP, connections);
  const slices = new Map<Workload, SignInSlice[]>(WORKLOADS.map((workload) => [workload, []]));
  for (let i = 0; i < sliceCount; i++) {
    for (const workload of i % 2 === 0 ? WORKLOADS : [...WORKLOADS].reverse()) {
      slices.get(workload)?.push(await measureSlice(setup, workload, sliceSeconds, connections));
      process.stdout.write('.');
    }
  }
  const measurements = WORKLOADS.map((workload) => summarizeSlices(workload, connections, slices.get(workload) ?? []));
  console.log(` ${measurements.map((m) => `${m.workload} ${m.perSecond.toFixed(1)}/s`).join(', ')}`);
  measurements.forEach(warnAboutMeasurement);
  return measurements;
}

function warnAboutMeasurement(m: SignInMeasurement): void {
  if (m.cpuUtilisation < 0.85) console.warn(`  warning: ${m.workload} got only ${Math.round(m.cpuUtilisation * 100)}% of its core (machine busy?)`);
  if (m.bystanderCpuUtilisation > 0.02) console.warn(`  warning: the idle processes used ${Math.round(m.bystanderCpuUtilisation * 100)}% of a core during ${m.workload}`);
}

/** Unmeasured sign-ins right after each Tessera starts (BENCH_SETTLE), so no measurement sees its JIT warming up. */
async function settle(setup: Setup, connections: number): Promise<void> {
  const seconds = setup.env.BENCH_SETTLE;
  if (seconds === 0) return;
  console.log(`settling: ${seconds} s of unmeasured sign-ins at ${connections} connections on each Tessera`);
  await measureSlice(setup, 'sign-in', seconds, connections);
  await measureSlice(setup, 'path', seconds, connections);
}

/** Before any load: a sign-in in each form must end in a session, and the verifier must verify. */
async function assertAllWork(setup: Setup): Promise<void> {
  await signInOnce(setup.tessera.url);
  await signInTwoStep(setup.tessera.url);
  await signInOnce(setup.pathOnly.url);
  await measureSlice(setup, 'verify', 1, threadpoolSize());
}

function armWatchdog(env: BenchEnv, concurrencies: number): NodeJS.Timeout {
  // Settling runs once on each Tessera.
  const budgetMs = (concurrencies * WORKLOADS.length * (env.BENCH_DURATION + env.BENCH_WARMUP) * 2 + env.BENCH_SETTLE * 2 + 180) * 1_000;
  return setTimeout(() => {
    console.error(`sign-in bench: gave up after ${budgetMs / 1_000} s`);
    process.exit(1);
  }, budgetMs).unref();
}

export async function runSignInBenchmark(options: { repoRoot: string }): Promise<number> {
  const env = parseBenchEnv();
  const { BENCH_SIGNIN_CONNECTIONS: concurrencies } = parseSignInEnv();
  const watchdog = armWatchdog(env, concurrencies.length);
  const pinning = pinHarness();
  const threads = threadpoolSize();
  const { memoryCost: m, timeCost: t, parallelism: p } = OWASP_ARGON2ID;
  console.log(`\nSign-in benchmark: password sign-in through the flows JSON API vs bare argon2id verify (m=${m},t=${t},p=${p})`);
  console.log(`CPU: ${pinning.description}; UV_THREADPOOL_SIZE=${threads} for every process\n`);
  // The same PHC string for both: Tessera stores it (config passwordHash), the verifier verifies it.
  const passwordHash = await createPasswordContext().hash(SIGN_IN_USER.password);
  const processes: SignInProcess[] = [];
  try {
    const context = { repoRoot: options.repoRoot, pinning, threadpoolSize: threads, passwordHash };
    processes.push(
      await startVerifier(context),
      await startSignInTessera(context, { label: 'tessera sign-in', passwordHash }),
      await startPathOnlyTessera(context),
    );
    const [verifier, tessera, pathOnly] = processes as [SignInProcess, SignInProcess, SignInProcess];
    const setup: Setup = { env, tessera, verifier, pathOnly };
    await assertAllWork(setup);
    console.log(`argon2 verify: pid ${verifier.pid}; tessera: pid ${tessera.pid}, ${tessera.url}; path only (TESSERA_ARGON2=${PATH_ONLY_SETTING}): pid ${pathOnly.pid}; first sign-ins ok\n`);
    await settle(setup, concurrencies[0] ?? 1);
    const measurements: SignInMeasurement[] = [];
    for (const connections of concurrencies) measurements.push(...(await measureAtConcurrency(setup, connections)));
    console.log(`\n${new Date().toISOString()}  sign-in  ${pinning.description}\n`);
    console.log(formatSignInTable(measurements));
    console.log(`\n${formatSignInRatios(computeSignInRatios(measurements))}`);
    console.log(formatPathCost(measurements));
    return 0;
  } finally {
    clearTimeout(watchdog);
    await Promise.all(processes.map((child) => child.stop()));
  }
}
