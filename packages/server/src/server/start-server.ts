import type { FastifyBaseLogger } from 'fastify';
import { createAuditWriter } from '../audit/audit-writer.js';
import { buildApp } from '../http/app.js';
import { createProviderRegistry } from '../provider/provider-registry.js';
import type { Services } from './services.js';
import { createSweeper, sweepTasksFor } from './sweeper.js';

const SWEEP_INTERVAL_MS = 60_000;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the HTTP server on the configured host and port, plus two background duties:
 * picking up changes made elsewhere (other nodes, the CLI) and sweeping expired protocol
 * artifacts. `close` stops accepting, finishes in-flight requests and flushes the audit queue.
 */
export async function startHttpServer(services: Services): Promise<RunningServer> {
  const audit = createAuditWriter(services.db);
  // The protocol endpoints log through the HTTP server's logger, which exists once the app is built
  // (before it listens, so nothing is logged before then).
  let logger: FastifyBaseLogger | undefined;
  const registry = createProviderRegistry(services, audit, { log: { error: (fields, message) => logger?.error(fields, message) } });
  const app = await buildApp({ services, registry, audit });
  logger = app.log;
  await app.listen({ port: services.settings.port, host: services.settings.host });

  const log = (message: string, error: unknown) => app.log.warn({ err: error }, message);
  const reload = setInterval(() => registry.refresh().catch((error) => log('reload check failed', error)),
    services.settings.reloadIntervalSeconds * 1000);
  const sweeper = createSweeper(services.db, { tasks: sweepTasksFor(services.database.kind) });
  const sweepOnce = async () => {
    const { done, failed } = await sweeper.sweepOnce();
    if (Object.keys(done).length) app.log.debug({ done }, 'sweep done');
    for (const { task, error } of failed) log(`sweep of ${task} failed`, error);
  };
  const sweep = setInterval(() => void sweepOnce(), SWEEP_INTERVAL_MS);
  reload.unref();
  sweep.unref();

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : services.settings.port;
  const host = services.settings.host.includes(':') ? `[${services.settings.host}]` : services.settings.host;
  return {
    url: `http://${host}:${port}`,
    async close() {
      clearInterval(reload);
      clearInterval(sweep);
      await app.close();
      await sweeper.idle();
      await audit.drain();
    },
  };
}
