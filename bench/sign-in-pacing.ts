/**
 * How the sign-in path's CPU depends on how busy the server is: a Tessera whose argon2 cost is
 * the smallest there is (PATH_ONLY_ARGON2), driven by one-request sign-ins flat out, then paced
 * with a pause after each, then idle. Prints the main thread's CPU per sign-in for each pace.
 * A diagnostic, not part of `npm run bench` (docs/benchmarks.md, "Latest: the path alone").
 *
 *   npx tsx bench/sign-in-pacing.ts            # ~2 min; BENCH_DURATION seconds per pace (default 10)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pinHarness } from './cpu-pinning.js';
import { startCpuMeter } from './cpu.js';
import { signInOnce } from './sign-in-load.js';
import { PATH_ONLY_SETTING, startPathOnlyTessera } from './sign-in-processes.js';
import type { SignInProcess } from './sign-in-processes.js';
import { threadpoolSize } from './sign-in-settings.js';

const PACES = [
  { connections: 4, pauseMs: 0 },
  { connections: 1, pauseMs: 0 },
  { connections: 1, pauseMs: 2 },
  { connections: 4, pauseMs: 40 },
  { connections: 1, pauseMs: 10 },
] as const;

async function measurePace(tessera: SignInProcess, seconds: number, connections: number, pauseMs: number): Promise<string> {
  const cpu = startCpuMeter(tessera.pid);
  const deadline = performance.now() + seconds * 1_000;
  let signIns = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      await signInOnce(tessera.url);
      signIns++;
      if (pauseMs > 0) await sleep(pauseMs);
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const { mainThreadCpuMicros } = cpu();
  const pace = `${connections} conn${connections > 1 ? 's' : ''}, ${pauseMs} ms pause`.padEnd(22);
  return `${pace} ${(signIns / seconds).toFixed(0).padStart(5)} sign-ins/s   main ${(mainThreadCpuMicros / signIns / 1_000).toFixed(2)} ms per sign-in`;
}

const seconds = Math.min(60, Math.max(1, Number(process.env.BENCH_DURATION ?? 10)));
const pinning = pinHarness();
const tessera = await startPathOnlyTessera({ repoRoot: process.cwd(), pinning, threadpoolSize: threadpoolSize() });
try {
  console.log(`path-only Tessera (TESSERA_ARGON2=${PATH_ONLY_SETTING}), pid ${tessera.pid}; ${pinning.description}`);
  await measurePace(tessera, seconds, 4, 0); // settling, not printed
  for (const { connections, pauseMs } of PACES) console.log(await measurePace(tessera, seconds, connections, pauseMs));
  const idle = startCpuMeter(tessera.pid);
  await sleep(seconds * 1_000);
  console.log(`idle                          main ${(idle().mainThreadCpuMicros / seconds / 1_000).toFixed(1)} ms per second`);
} finally {
  await tessera.stop();
}
