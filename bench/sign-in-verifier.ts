/**
 * The sign-in benchmark's baseline, as its own process (started like a server, pinned to the
 * server core, with the same UV_THREADPOOL_SIZE): bare argon2id verification with
 * @node-rs/argon2, the library @tessera/passwords calls, of the same PHC hash Tessera stores.
 *
 * `POST /run {"seconds","concurrency"}` runs `concurrency` verify loops in this process for
 * `seconds` and answers with what completed. No HTTP per verification: the control request is
 * one per slice, so the baseline is the hash alone.
 *
 * Env: PORT, BENCH_ARGON2_HASH, BENCH_ARGON2_PASSWORD.
 */
import { createServer } from 'node:http';
import { verify } from '@node-rs/argon2';
import { z } from 'zod';

const env = z
  .object({ PORT: z.coerce.number().int().min(1).max(65535), BENCH_ARGON2_HASH: z.string().startsWith('$argon2id$'), BENCH_ARGON2_PASSWORD: z.string().min(1) })
  .parse(process.env);

const RunRequestSchema = z.object({
  seconds: z.number().positive().max(600),
  concurrency: z.number().int().min(1).max(1000),
});

export interface VerifyRunResult {
  completed: number;
  failed: number;
  seconds: number;
  latenciesMs: number[];
}

/** One loop: verify until the deadline; a verification that started before it counts. */
async function verifyLoop(deadline: number, result: VerifyRunResult): Promise<void> {
  while (performance.now() < deadline) {
    const startedAt = performance.now();
    const ok = await verify(env.BENCH_ARGON2_HASH, env.BENCH_ARGON2_PASSWORD);
    result.latenciesMs.push(performance.now() - startedAt);
    if (ok) result.completed++;
    else result.failed++;
  }
}

async function run(seconds: number, concurrency: number): Promise<VerifyRunResult> {
  const result: VerifyRunResult = { completed: 0, failed: 0, seconds: 0, latenciesMs: [] };
  const startedAt = performance.now();
  const deadline = startedAt + seconds * 1_000;
  await Promise.all(Array.from({ length: concurrency }, () => verifyLoop(deadline, result)));
  result.seconds = (performance.now() - startedAt) / 1_000;
  return result;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const parsed = RunRequestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
    if (request.method !== 'POST' || request.url !== '/run' || !parsed.success) {
      response.writeHead(400).end();
      return;
    }
    void run(parsed.data.seconds, parsed.data.concurrency).then((result) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    });
  });
});

// Loopback only; the harness reads the URL from this line.
server.listen(env.PORT, '127.0.0.1', () => console.log(`argon2 verifier listening on http://127.0.0.1:${env.PORT}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
