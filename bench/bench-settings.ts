import { z } from 'zod';

/** The client both servers register; the harness authenticates as it with HTTP Basic. */
export const BENCH_CLIENT = {
  clientId: 'bench-daemon',
  clientSecret: 'bench-secret-0123456789abcdef',
} as const;

/** The resource both servers issue tokens for. */
export const BENCH_AUDIENCE = 'api://weather';

/** Tenant id on Tessera and mount path on the bare provider, so both token URLs are `/bench/token`. */
export const BENCH_TENANT = 'bench';

export const BenchAlgSchema = z.enum(['ES256', 'RS256']);
export type BenchAlg = z.infer<typeof BenchAlgSchema>;

export const BenchServerKindSchema = z.enum(['bare', 'tessera']);
export type BenchServerKind = z.infer<typeof BenchServerKindSchema>;

const BenchEnvSchema = z.object({
  BENCH_ALG: BenchAlgSchema.default('ES256'),
  /** Seconds of measured load per server and concurrency. */
  BENCH_DURATION: z.coerce.number().int().min(1).max(600).default(15),
  /** The measured seconds are cut into this many slices, taken in turns by the servers. */
  BENCH_SLICES: z.coerce.number().int().min(1).max(30).default(5),
  /** Seconds of unmeasured load before each measured run. */
  BENCH_WARMUP: z.coerce.number().int().min(0).max(60).default(2),
  /**
   * Seconds of unmeasured load once per server, right after it starts. A fresh Node process is
   * still compiling: V8 optimizes the request path, and the embedded database's WebAssembly
   * tiers up function by function. That is a start-up cost, not a per-request one.
   */
  BENCH_SETTLE: z.coerce.number().int().min(0).max(300).default(15),
  /**
   * Extra Node.js flags for every server process, space-separated; e.g.
   * `--perf-basic-prof-only-functions` so that Linux `perf` names JavaScript frames.
   */
  BENCH_NODE_FLAGS: z
    .string()
    .default('')
    .transform((value) => value.split(' ').filter(Boolean))
    .pipe(z.array(z.string().startsWith('--')).max(20)),
  /** Comma-separated connection counts. */
  BENCH_CONNECTIONS: z
    .string()
    .default('10,50')
    .transform((value) => value.split(',').map((part) => Number(part.trim())))
    .pipe(z.array(z.number().int().min(1).max(1000)).min(1).max(8)),
  /**
   * Comma-separated servers to measure; the first is the baseline the others are compared to.
   * `bare,bare` is an A/A run that shows the harness's own noise.
   */
  BENCH_SERVERS: z
    .string()
    .default('bare,tessera')
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(BenchServerKindSchema).min(1).max(4)),
});
export type BenchEnv = z.infer<typeof BenchEnvSchema>;

export function parseBenchEnv(env: NodeJS.ProcessEnv = process.env): BenchEnv {
  const result = BenchEnvSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`invalid benchmark environment: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}
