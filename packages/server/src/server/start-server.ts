import { createAuditWriter } from '../audit/audit-writer.js';
import { sweepExpiredOidcPayloads } from '../db/oidc-adapter.js';
import { createAccountTokenRepository } from '../db/repositories/account-tokens.js';
import { createFlowRepository } from '../db/repositories/flows.js';
import { createOutboxRepository, OUTBOX_RETENTION_DAYS } from '../mail/outbox-repository.js';
import { warnOfExpiringSecrets } from '../security/client-secret-expiry.js';
import { warnOfExpiringCertificates } from '../security/certificate-expiry.js';
import { sweepExpiredRateLimits } from '../security/rate-limits/index.js';
import { buildApp } from '../http/app.js';
import { createProviderRegistry } from '../provider/provider-registry.js';
import type { Services } from './services.js';

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
  const registry = createProviderRegistry(services, audit);
  const app = await buildApp({ services, registry, audit });
  await app.listen({ port: services.settings.port, host: services.settings.host });

  const log = (message: string, error: unknown) => app.log.warn({ err: error }, message);
  const reload = setInterval(() => registry.refresh().catch((error) => log('reload check failed', error)),
    services.settings.reloadIntervalSeconds * 1000);
  const sweepOnce = async () => {
    const now = new Date();
    await sweepExpiredOidcPayloads(services.db);
    await createFlowRepository(services.db).sweep(now);
    await createAccountTokenRepository(services.db).sweep(now);
    await sweepExpiredRateLimits(services.db, now);
    await createOutboxRepository(services.db).deleteOlderThan(new Date(now.getTime() - OUTBOX_RETENTION_DAYS * 86_400_000));
    await warnOfExpiringSecrets(services.db, now);
    await warnOfExpiringCertificates(services.db, now);
  };
  const sweep = setInterval(() => sweepOnce().catch((error) => log('sweep failed', error)), SWEEP_INTERVAL_MS);
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
      await audit.drain();
    },
  };
}
