import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface MasterKey {
  key: Buffer;
  /** Where it came from: the environment, or a key file in the data directory. */
  source: 'env' | 'file';
  file?: string;
}

/**
 * The master key encrypts signing keys at rest. It comes from TESSERA_MASTER_KEY (32 bytes,
 * base64 or hex) or from `master.key` in the data directory, created 0600 on first use.
 */
export function loadMasterKey(options: { env?: string | undefined; dataDir: string }): MasterKey {
  if (options.env) return { key: decodeKey(options.env), source: 'env' };
  const file = path.resolve(options.dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return { key: decodeKey(readFileSync(file, 'utf8').trim()), source: 'file', file };
}

function decodeKey(text: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) {
    throw new Error('TESSERA_MASTER_KEY must be 32 bytes, base64 or hex encoded (e.g. `openssl rand -base64 32`)');
  }
  return key;
}
