/**
 * Selection of the guard benchmark: it runs when BENCH_SUITES is unset (every benchmark) or names
 * `guard`. The other suites get the rest of the list.
 */
export function takeGuardSuite(env: NodeJS.ProcessEnv = process.env): { guard: boolean; rest: string | undefined } {
  // Unset means every benchmark (bench/run.ts runs sign-in, token, then the guard).
  if (env.BENCH_SUITES === undefined) return { guard: true, rest: 'sign-in,token' };
  const names = env.BENCH_SUITES?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!names?.includes('guard')) return { guard: false, rest: env.BENCH_SUITES };
  const rest = names.filter((name) => name !== 'guard');
  return { guard: true, rest: rest.length > 0 ? rest.join(',') : undefined };
}
