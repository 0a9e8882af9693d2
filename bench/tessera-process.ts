/** Starting Tessera for a benchmark: the `tessera` CLI with a config, a fresh data directory, loopback only. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findFreePort } from '../packages/server/src/server/free-port.js';
import { pinnedCommand, type CpuPinning } from './cpu-pinning.js';
import { serverNodeFlags, startServerProcess } from './server-process.js';

const TESSERA_BIN = 'packages/server/bin/tessera.js';

export interface TesseraProcess {
  pid: number;
  /** `http://127.0.0.1:PORT`, also its TESSERA_PUBLIC_URL. */
  publicUrl: string;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

export async function startTesseraProcess(options: {
  repoRoot: string; pinning: CpuPinning; label: string; config: unknown; env?: Record<string, string>;
}): Promise<TesseraProcess> {
  if (!existsSync(join(options.repoRoot, TESSERA_BIN))) {
    throw new Error(`${TESSERA_BIN} not found; run with BENCH_SERVERS=bare,bare to check the harness alone`);
  }
  const port = await findFreePort();
  const workDir = await mkdtemp(join(tmpdir(), 'tessera-bench-'));
  const configPath = join(workDir, 'tessera.yaml');
  await writeFile(configPath, stringify(options.config));
  await mkdir(join(workDir, 'data'));
  const [command, args] = pinnedCommand(options.pinning, process.execPath, [...serverNodeFlags(), TESSERA_BIN, 'start', '--config', configPath]);
  const publicUrl = `http://127.0.0.1:${port}`;
  const removeWorkDir = () => rm(workDir, { recursive: true, force: true });
  const child = await startServerProcess({
    name: options.label,
    command,
    args,
    cwd: options.repoRoot,
    env: {
      ...process.env,
      ...options.env,
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
    pid: child.pid,
    publicUrl,
    stop: async () => {
      await child.stop();
      await removeWorkDir();
    },
  };
}
