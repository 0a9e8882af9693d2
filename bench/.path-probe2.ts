// scratch (not committed): path-only Tessera, paced sign-ins (main thread idle between them)
import { setTimeout as sleep } from 'node:timers/promises';
import { createPasswordContext } from '@tessera/passwords';
import { formatArgon2 } from '../packages/server/src/config/argon2-setting.js';
import { pinHarness } from './cpu-pinning.js';
import { startCpuMeter } from './cpu.js';
import { signInOnce } from './sign-in-load.js';
import { startSignInTessera } from './sign-in-processes.js';
import { PATH_ONLY_ARGON2, SIGN_IN_USER } from './sign-in-settings.js';
const pinning = pinHarness();
const hash = await createPasswordContext({ argon2: PATH_ONLY_ARGON2 }).hash(SIGN_IN_USER.password);
const t = await startSignInTessera({ repoRoot: '/work/main', pinning, threadpoolSize: 4, passwordHash: hash }, { label: 'probe', passwordHash: hash, argon2: formatArgon2(PATH_ONLY_ARGON2) });
async function run(seconds: number, conns: number, pauseMs: number) {
  const cpu = startCpuMeter(t.pid); let n = 0; const end = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: conns }, async () => { while (performance.now() < end) { await signInOnce(t.url); n++; if (pauseMs) await sleep(pauseMs); } }));
  const c = cpu();
  console.log(`conns ${conns} pause ${pauseMs} ms: ${(n / seconds).toFixed(0)}/s main ${(c.mainThreadCpuMicros / n).toFixed(0)} µs cpu ${(c.cpuMicros / n).toFixed(0)} µs`);
}
await run(10, 4, 0);
for (let i = 0; i < 2; i++) {
  const cpu = startCpuMeter(t.pid); await sleep(10_000); const c = cpu();
  console.log(`idle 10 s: main ${(c.mainThreadCpuMicros / 10_000).toFixed(1)} ms/s, all ${(c.cpuMicros / 10_000).toFixed(1)} ms/s`);
  await run(10, 1, 10); await run(10, 1, 2); await run(10, 1, 0);
}
await t.stop();
