/**
 * The two servers under test, each described the same way: how to start it, its token URL
 * and the form body that asks it for an `api://weather` access token.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_TENANT } from './bench-settings.js';
import type { BenchAlg, BenchServerKind } from './bench-settings.js';
import { pinnedCommand } from './cpu-pinning.js';
import type { CpuPinning } from './cpu-pinning.js';
import { startServerProcess } from './server-process.js';

export interface BenchServer {
  label: string;
  pid: number;
  tokenUrl: string;
  body: string;
  stop(): Promise<void>;
}

export interface StartServerContext {
  repoRoot: string;
  alg: BenchAlg;
  pinning: CpuPinning;
  label: string;
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

async function startBare(context: StartServerContext): Promise<BenchServer> {
  const port = await findFreePort();
  const [command, args] = pinnedCommand(context.pinning, process.execPath, ['--import', 'tsx', 'bench/bare-provider.ts']);
  const child = await startServerProcess({
    name: context.label,
    command,
    args,
    cwd: context.repoRoot,
    env: { ...process.env, PORT: String(port), BENCH_ALG: context.alg },
    readyPattern: /bare oidc-provider listening on (\S+)/,
    timeoutMs: 30_000,
  });
  return {
    label: context.label,
    pid: child.pid,
    tokenUrl: `${child.readyMatch}/token`,
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: BENCH_AUDIENCE }).toString(),
    stop: child.stop,
  };
}

function tesseraConfig(alg: BenchAlg) {
  return {
    tenants: [
      {
        id: BENCH_TENANT,
        name: 'Bench',
        apis: [
          {
            identifier: BENCH_AUDIENCE,
            name: 'Weather API',
            scopes: ['weather.read', 'weather.write'],
            appRoles: ['app.weather'],
            accessTokenLifetime: 3600,
            signingAlg: alg,
          },
        ],
        applications: [
          {
            clientId: BENCH_CLIENT.clientId,
            name: 'Bench daemon',
            type: 'daemon',
            secrets: [{ value: BENCH_CLIENT.clientSecret }],
            appRoles: [{ api: BENCH_AUDIENCE, roles: ['app.weather'] }],
          },
        ],
      },
    ],
  };
}

async function startTessera(context: StartServerContext): Promise<BenchServer> {
  if (!existsSync(join(context.repoRoot, TESSERA_BIN))) {
    throw new Error(`${TESSERA_BIN} not found; run with BENCH_SERVERS=bare,bare to check the harness alone`);
  }
  const port = await findFreePort();
  const workDir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  const configPath = join(workDir, 'tessera.yaml');
  await writeFile(configPath, stringify(tesseraConfig(context.alg)));
  await mkdir(join(workDir, 'data'));
  const [command, args] = pinnedCommand(context.pinning, process.execPath, [TESSERA_BIN, 'start', '--config', configPath]);
  const publicUrl = `http://127.0.0.1:${port}`;
  const removeWorkDir = () => rm(workDir, { recursive: true, force: true });
  const child = await startServerProcess({
    name: context.label,
    command,
    args,
    cwd: context.repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
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
    label: context.label,
    pid: child.pid,
    tokenUrl: `${publicUrl}/${BENCH_TENANT}/token`,
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${BENCH_AUDIENCE}/.default` }).toString(),
    stop: async () => {
      await child.stop();
      await removeWorkDir();
    },
  };
}

const starters: Record<BenchServerKind, (context: StartServerContext) => Promise<BenchServer>> = {
  bare: startBare,
  tessera: startTessera,
};

export function startBenchServer(kind: BenchServerKind, context: StartServerContext): Promise<BenchServer> {
  return starters[kind](context);
}
