/**
 * The guard benchmark (BENCH_SUITES=guard): (1) validations per second of `guard.verify` on a
 * cached JWKS against bare `jose.jwtVerify` with a local JWKS, ES256 and RS256, in this process,
 * in alternating rounds; (2) requests per second of a plain node:http weather API
 * (bench/guard-api.ts, pinned to the server core) without the guard, with it, and with the
 * verified-token cache, in interleaved autocannon slices. Ratios are printed against the
 * targets (≥ 90% of jose; ≥ 50k req/s with the cache); a miss is reported, not failed.
 *
 * Env: BENCH_GUARD_SECONDS (per round or slice, default 2), BENCH_GUARD_ROUNDS (default 3),
 * BENCH_GUARD_CONNECTIONS (default 10).
 */
import autocannon from 'autocannon';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { createGuard } from '../packages/guard/src/index.js';
import { pinHarness, pinnedCommand } from './cpu-pinning.js';
import { serverNodeFlags, startServerProcess } from './server-process.js';

const seconds = Number(process.env.BENCH_GUARD_SECONDS) || 2;
const rounds = Number(process.env.BENCH_GUARD_ROUNDS) || 3;
const connections = Number(process.env.BENCH_GUARD_CONNECTIONS) || 10;
const ISSUER = 'https://issuer.bench.invalid/t';
const AUDIENCE = 'api://weather';

async function countFor(ms: number, verify: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + ms;
  let count = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await verify();
    count += 100;
  }
  return count;
}

async function measureVerify(alg: 'ES256' | 'RS256') {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg }] };
  const token = await new SignJWT({ scope: 'weather.read', client_id: 'bench' })
    .setProtectedHeader({ alg, kid: 'k', typ: 'at+jwt' })
    .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('bench').setIssuedAt().setExpirationTime('2h')
    .sign(privateKey);
  const local: JWTVerifyGetKey = createLocalJWKSet(jwks);
  const bare = () => jwtVerify(token, local, { issuer: ISSUER, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg] });
  const fetch = async (url: string) => ({ status: 200, json: async () => (url.endsWith('openid-configuration') ? { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` } : jwks) });
  const guard = createGuard({ issuer: ISSUER, audience: AUDIENCE, fetch });
  await countFor(500, bare);
  await countFor(500, () => guard.verify(token));
  let bareCount = 0;
  let guardCount = 0;
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so drift in machine load lands on both alike.
    if (round % 2 === 0) {
      bareCount += await countFor(seconds * 1000, bare);
      guardCount += await countFor(seconds * 1000, () => guard.verify(token));
    } else {
      guardCount += await countFor(seconds * 1000, () => guard.verify(token));
      bareCount += await countFor(seconds * 1000, bare);
    }
  }
  const total = rounds * seconds;
  return { alg, bare: bareCount / total, guard: guardCount / total };
}

async function fire(url: string, token: string, duration: number): Promise<number> {
  const result = await autocannon({ url, headers: { authorization: `Bearer ${token}` }, connections, duration, pipelining: 1, timeout: 10, skipAggregateResult: true });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.totalCompletedRequests / duration;
}

async function measureHttp(repoRoot: string, pinning: ReturnType<typeof pinHarness>) {
  const [command, args] = pinnedCommand(pinning, process.execPath, [...serverNodeFlags(), '--import', 'tsx', 'bench/guard-api.ts']);
  const child = await startServerProcess({
    name: 'guard-api', command, args, cwd: repoRoot, env: { ...process.env, BENCH_ALG: 'ES256' },
    readyPattern: /guard weather API listening on (\S+ token \S+)/, timeoutMs: 30_000,
  });
  try {
    const [url, , token] = child.readyMatch.split(' ') as [string, string, string];
    const routes = ['/bare', '/guarded', '/cached'];
    const totals = new Map(routes.map((route) => [route, 0]));
    for (const route of routes) await fire(`${url}${route}`, token, 1);
    process.stdout.write(`HTTP: ${connections} conns, ${rounds} interleaved slices × ${seconds} s per route `);
    for (let round = 0; round < rounds; round++) {
      for (const route of round % 2 === 0 ? routes : [...routes].reverse()) {
        totals.set(route, (totals.get(route) ?? 0) + (await fire(`${url}${route}`, token, seconds)));
        process.stdout.write('.');
      }
    }
    console.log('');
    return Object.fromEntries(routes.map((route) => [route, (totals.get(route) ?? 0) / rounds])) as Record<string, number>;
  } finally {
    await child.stop();
  }
}

const pct = (value: number) => `${Math.round(value * 100)}%`;

/** Runs the guard benchmark and prints its table; returns the exit code (0: ran, targets reported). */
export async function runGuardBenchmark({ repoRoot }: { repoRoot: string }): Promise<number> {
  const pinning = pinHarness();
  const budgetMs = (rounds * seconds * 7 + 90) * 1000;
  const watchdog = setTimeout(() => {
    console.error(`guard bench: gave up after ${budgetMs / 1000} s`);
    process.exit(1);
  }, budgetMs).unref();
  console.log(`Guard benchmark — CPU: ${pinning.description}`);
  const verify = [await measureVerify('ES256'), await measureVerify('RS256')];
  console.log('\nValidations/s (one core, sequential, cached JWKS):');
  for (const row of verify) {
    const ratio = row.guard / row.bare;
    console.log(`  ${row.alg}  jose.jwtVerify ${Math.round(row.bare)}/s  guard.verify ${Math.round(row.guard)}/s  ratio ${pct(ratio)} (target ≥ 90%) ${ratio >= 0.9 ? 'ok' : 'BELOW TARGET'}`);
  }
  const http = await measureHttp(repoRoot, pinning);
  const bare = http['/bare'] ?? 0;
  console.log('\nnode:http weather API, ES256, requests/s (server on one core):');
  console.log(`  no guard         ${Math.round(bare)}`);
  console.log(`  guard            ${Math.round(http['/guarded'] ?? 0)}  (${pct((http['/guarded'] ?? 0) / bare)} of no guard)`);
  const cached = http['/cached'] ?? 0;
  console.log(`  guard + cache    ${Math.round(cached)}  (${pct(cached / bare)} of no guard; target ≥ 50000/s) ${cached >= 50_000 ? 'ok' : 'BELOW TARGET'}`);
  clearTimeout(watchdog);
  return 0;
}
