/**
 * The processes of the sign-in benchmark, all pinned to the server core with the same
 * UV_THREADPOOL_SIZE: Tessera with one account whose stored hash is the argon2id PHC string the
 * harness made, the bare argon2 verifier given that same hash, and a second Tessera whose
 * argon2 cost (TESSERA_ARGON2) and stored hash are the cheapest possible, for the path alone.
 */
import { createPasswordContext } from '@tessera/passwords';
import { formatArgon2 } from '../packages/server/src/config/argon2-setting.js';
import { pinnedCommand } from './cpu-pinning.js';
import type { CpuPinning } from './cpu-pinning.js';
import { serverNodeFlags, startServerProcess } from './server-process.js';
import { PATH_ONLY_ARGON2, SIGN_IN_TENANT, SIGN_IN_USER } from './sign-in-settings.js';
import { findFreePort } from '../packages/server/src/server/free-port.js';
import { startTesseraProcess } from './tessera-process.js';

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

/** What a Tessera of the benchmark differs in: its label, its user's stored hash, its TESSERA_ARGON2. */
export interface SignInTesseraOptions {
  label: string;
  passwordHash: string;
  argon2?: string;
}

export async function startVerifier(context: SignInProcessContext): Promise<SignInProcess> {
  const port = await findFreePort();
  const [command, args] = pinnedCommand(context.pinning, process.execPath, [...serverNodeFlags(), '--import', 'tsx', 'bench/sign-in-verifier.ts']);
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
export async function startSignInTessera(context: Omit<SignInProcessContext, 'passwordHash'>, options: SignInTesseraOptions): Promise<SignInProcess> {
  const tessera = await startTesseraProcess({
    repoRoot: context.repoRoot, pinning: context.pinning, label: options.label, config: tesseraConfig(options.passwordHash),
    env: { UV_THREADPOOL_SIZE: String(context.threadpoolSize), ...(options.argon2 ? { TESSERA_ARGON2: options.argon2 } : {}) },
  });
  return { label: options.label, pid: tessera.pid, url: tessera.publicUrl, stop: tessera.stop };
}

/** `TESSERA_ARGON2` of the path-only Tessera (PATH_ONLY_ARGON2), as the server reads it. */
export const PATH_ONLY_SETTING = formatArgon2(PATH_ONLY_ARGON2);

/** The Tessera whose argon2 cost, and its user's stored hash, are the cheapest possible: its sign-ins cost the path alone. */
export async function startPathOnlyTessera(context: Omit<SignInProcessContext, 'passwordHash'>): Promise<SignInProcess> {
  const passwordHash = await createPasswordContext({ argon2: PATH_ONLY_ARGON2 }).hash(SIGN_IN_USER.password);
  return startSignInTessera(context, { label: 'tessera path only', passwordHash, argon2: PATH_ONLY_SETTING });
}
