import { Worker } from 'node:worker_threads';

/**
 * Runs `encrypt(password, setting)` of an ESM module in a short-lived worker thread, for
 * synchronous hash libraries whose high-cost settings would otherwise stall the event loop for
 * a second or more (SHA-crypt at passlib's 656 000 rounds takes ~1.4 s in `unixcrypt`).
 * The worker receives the module's URL, so it needs no TypeScript loader.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.moduleUrl)
  .then((module) => parentPort.postMessage({ ok: true, value: module.encrypt(workerData.password, workerData.setting) }))
  .catch((error) => parentPort.postMessage({ ok: false, message: String(error && error.message) }));
`;

export function encryptOffThread(moduleUrl: string, password: string, setting: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SOURCE, { eval: true, workerData: { moduleUrl, password, setting } });
    worker.once('message', (result: { ok: boolean; value?: string; message?: string }) => {
      void worker.terminate();
      if (result.ok && typeof result.value === 'string') resolve(result.value);
      else reject(new Error(`hash worker failed: ${result.message ?? 'no result'}`));
    });
    worker.once('error', reject);
  });
}
