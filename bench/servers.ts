/**
 * The two servers under test, each described the same way: how to start it, its token URL
 * and the form body that asks it for an `api://weather` access token.
 */
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_TENANT } from './bench-settings.js';
import type { BenchAlg, BenchServerKind } from './bench-settings.js';
import { pinnedCommand } from './cpu-pinning.js';
import type { CpuPinning } from './cpu-pinning.js';
import { serverNodeFlags, startServerProcess } from './server-process.js';
import { findFreePort } from '../packages/server/src/server/free-port.js';
import { startTesseraProcess } from './tessera-process.js';

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

async function startBare(context: StartServerContext): Promise<BenchServer> {
  const port = await findFreePort();
  const [command, args] = pinnedCommand(context.pinning, process.execPath, [...serverNodeFlags(), '--import', 'tsx', 'bench/bare-provider.ts']);
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
  const tessera = await startTesseraProcess({
    repoRoot: context.repoRoot, pinning: context.pinning, label: context.label, config: tesseraConfig(context.alg),
  });
  return {
    label: context.label,
    pid: tessera.pid,
    tokenUrl: `${tessera.publicUrl}/${BENCH_TENANT}/token`,
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: `${BENCH_AUDIENCE}/.default` }).toString(),
    stop: tessera.stop,
  };
}

const starters: Record<BenchServerKind, (context: StartServerContext) => Promise<BenchServer>> = {
  bare: startBare,
  tessera: startTessera,
};

export function startBenchServer(kind: BenchServerKind, context: StartServerContext): Promise<BenchServer> {
  return starters[kind](context);
}
