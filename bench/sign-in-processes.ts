/**
 * The two processes of the sign-in benchmark, both pinned to the server core with the same
 * UV_THREADPOOL_SIZE: Tessera with one account whose stored hash is the argon2id PHC string the
 * harness made, and the bare argon2 verifier given that same hash.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { pinnedCommand } from './cpu-pinning.js';
import type { CpuPinning } from './cpu-pinning.js';
import { startServerProcess } from './server-process.js';
import { SIGN_IN_TENANT, SIGN_IN_USER } from './sign-in-settings.js';

export interface SignInProcess {
  label: string;
  pid: number;
  /** Tessera: the public URL; verifier: its control URL. */
  url: string;
  stop(): Promise<void>;
}

export interface SignInProcessContext {
  repoRoot: string;
  pinning: CpuPinning;
  threadpoolSize: number;
  /** argon2id PHC string of SIGN_IN_USER.password, made with OWASP_ARGON2ID. */
  passwordHash: string;
}

const TESSERA_BIN = 'packages/server/bin/tessera.js';

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startVerifier(context: SignInProcessContext): Promise<SignInProcess> {
  const port = await findFreePort();
  const [command, args] = pinnedCommand(context.pinning, process.execPath, ['--import', 'tsx', 'bench/sign-in-verifier.ts']);
  const child = await startServerProcess({
    name: 'argon2 verify',
    command,
    args,
    cwd: context.repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      UV_THREADPOOL_SIZE: String(context.threadpoolSize),
      BENCH_ARGON2_HASH: context.passwordHash,
      BENCH_ARGON2_PASSWORD: SIGN_IN_USER.password,
    },
    readyPattern: /argon2 verifier listening on (\S+)/,
    timeoutMs: 30_000,
  });
  return { label: 'argon2 verify', pid: child.pid, url: child.readyMatch, stop: child.stop };
}

function tesseraConfig(passwordHash: string) {
  return {
    tenants: [
      {
        id: SIGN_IN_TENANT,
        name: 'Bench',
        users: [{ username: SIGN_IN_USER.username, email: SIGN_IN_USER.email, emailVerified: true, name: 'Bench User', passwordHash }],
      },
    ],
  };
}

/** Tessera as the token benchmark starts it: the `tessera` CLI, a fresh data directory, loopback. */
export async function startSignInTessera(context: SignInProcessContext): Promise<SignInProcess> {
  const port = await findFreePort();
  const workDir = await mkdtemp(join(tmpdir(), 'tessera-bench-sign-in-'));
  const configPath = join(workDir, 'tessera.yaml');
  await writeFile(configPath, stringify(tesseraConfig(context.passwordHash)));
  await mkdir(join(workDir, 'data'));
  const [command, args] = pinnedCommand(context.pinning, process.execPath, [TESSERA_BIN, 'start', '--config', configPath]);
  const publicUrl = `http://127.0.0.1:${port}`;
  const removeWorkDir = () => rm(workDir, { recursive: true, force: true });
  const child = await startServerProcess({
    name: 'tessera sign-in',
    command,
    args,
    cwd: context.repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      UV_THREADPOOL_SIZE: String(context.threadpoolSize),
      TESSERA_PUBLIC_URL: publicUrl,
      TESSERA_DATA_DIR: join(workDir, 'data'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
    },
    readyPattern: /Tessera is listening on (\S+)/,
    timeoutMs: 60_000,
  }).catch(async (error: unknown) => {
    await removeWorkDir();
    throw error;
  });
  return {
    label: 'tessera',
    pid: child.pid,
    url: publicUrl,
    stop: async () => {
      await child.stop();
      await removeWorkDir();
    },
  };
}
