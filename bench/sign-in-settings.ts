/**
 * Settings of the sign-in benchmark: which benchmarks `npm run bench` runs, the concurrencies
 * of the sign-in run, the account signed in to, and the libuv threadpool size both the
 * argon2 baseline and Tessera get.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

export const BENCHMARKS = ['token', 'sign-in'] as const;
export type Benchmark = (typeof BENCHMARKS)[number];

const SignInEnvSchema = z.object({
  /** Comma-separated benchmarks to run: `token`, `sign-in` (sign-in runs first whatever the order). */
  BENCH_SUITES: z
    .string()
    .default(BENCHMARKS.join(','))
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(BENCHMARKS)).min(1).max(BENCHMARKS.length)),
  /**
   * Concurrent sign-ins (connections) and concurrent verify loops of the baseline. The default
   * is the threadpool size (every argon2 thread busy) and four times it (requests queue for a
   * thread while the event loop does the rest of the sign-in).
   */
  BENCH_SIGNIN_CONNECTIONS: z
    .string()
    .optional()
    .transform((value) => value ?? `${threadpoolSize()},${threadpoolSize() * 4}`)
    .transform((value) => value.split(',').map((part) => Number(part.trim())))
    .pipe(z.array(z.number().int().min(1).max(200)).min(1).max(8)),
});
export type SignInEnv = z.infer<typeof SignInEnvSchema>;

export function parseSignInEnv(env: NodeJS.ProcessEnv = process.env): SignInEnv {
  const result = SignInEnvSchema.safeParse(env);
  if (!result.success) throw new Error(`invalid benchmark environment: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Whether `npm run bench` should run `benchmark` (BENCH_SUITES, default: all). */
export function isBenchmarkSelected(benchmark: Benchmark, env: NodeJS.ProcessEnv = process.env): boolean {
  return parseSignInEnv(env).BENCH_SUITES.includes(benchmark);
}

/**
 * The threadpool size `tessera` gives itself (packages/server/bin/tessera.js): an explicit
 * UV_THREADPOOL_SIZE, else max(4, cores). The harness passes the same value to both processes.
 */
export function threadpoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const explicit = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(explicit) && explicit > 0 ? explicit : Math.max(4, availableParallelism());
}

/**
 * The argon2id cost of the second Tessera, whose sign-ins measure the path without its hash:
 * the smallest argon2 there is (8 KiB, one pass), a few microseconds per verification.
 */
export const PATH_ONLY_ARGON2 = { memoryCost: 8, timeCost: 1, parallelism: 1 } as const;

/** The tenant and account the benchmark signs in to. The password is public: it exists only in the run's throwaway data. */
export const SIGN_IN_TENANT = 'bench';
export const SIGN_IN_USER = {
  username: 'bench-user',
  email: 'bench-user@example.com',
  password: 'bench sign-in password 0123',
} as const;
