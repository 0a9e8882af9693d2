/**
 * Selection of the guard benchmark: it runs only when BENCH_SUITES names `guard` (the default
 * `npm run bench` stays the token and sign-in runs). The other suites get the rest of the list.
 */
export function takeGuardSuite(env: NodeJS.ProcessEnv = process.env): { guard: boolean; rest: string | undefined } {
  const names = env.BENCH_SUITES?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!names?.includes('guard')) return { guard: false, rest: env.BENCH_SUITES };
  const rest = names.filter((name) => name !== 'guard');
  return { guard: true, rest: rest.length > 0 ? rest.join(',') : undefined };
}
