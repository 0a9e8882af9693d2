import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import type { AuditWriter } from '../audit/audit-writer.js';
import { createCsrfTokens } from '../experience/csrf.js';
import { registerInteractionRoutes } from '../experience/interaction-routes.js';
import { createPages } from '../experience/pages.js';
import { createAccountContexts } from '../experience/account-context.js';
import { registerAccountPageRoutes } from '../experience/account-page-routes.js';
import { registerMagicLinkRoutes } from '../experience/magic-link-routes.js';
import { registerConsentRoutes } from '../experience/consent-routes.js';
import { registerFlowApiRoutes } from '../experience/flow-api-routes.js';
import { registerStrengthAsset } from '../experience/strength/strength-asset.js';
import { registerPasskeyAsset } from '../experience/passkeys/passkey-asset.js';
import { isOutboxEnabled, registerOutboxRoutes } from '../mail/outbox-routes.js';
import { createAccountDeps } from '../server/account-services.js';
import { publicBasePath } from '../config/settings.js';
import type { ProviderRegistry } from '../provider/provider-registry.js';
import type { Services } from '../server/services.js';
import { sendProblem } from './problem.js';
import { registerManagementApi } from '../management/http/register-management.js';
import { managementServices } from '../management/management-services.js';
import { createOidcAdapterClass } from '../db/oidc-adapter.js';
import { REFRESH_TOKEN_REUSE_GRACE_SECONDS } from '../provider/create-provider.js';
import { PROTOCOL_BODY_LIMIT, registerProtocolRoutes } from './protocol-routes.js';
import { computeSecurityHeaders } from './security-headers.js';

const STYLESHEET = readFileSync(new URL('../../assets/tessera.css', import.meta.url));

/** The HTTP server: health, assets, sign-in pages, and each tenant's protocol endpoints. */
export async function buildApp(deps: { services: Services; registry: ProviderRegistry; audit: AuditWriter }): Promise<FastifyInstance> {
  const { services, registry, audit } = deps;
  const app = Fastify({
    logger: { level: services.settings.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    trustProxy: services.settings.trustProxy,
    bodyLimit: PROTOCOL_BODY_LIMIT,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    return503OnClosing: true,
    // Errors the router raises before any route runs (an over-long path segment, a malformed
    // URL) are problem documents too.
    frameworkErrors: (error, _request, reply) => {
      const status = (error as { statusCode?: number }).statusCode ?? 400;
      sendProblem(reply, {
        status, code: status === 414 ? 'request.uri_too_long' : 'request.invalid_url',
        title: status === 414 ? 'A part of the URL is too long' : 'Malformed URL',
      });
    },
    // Errors are still logged; a per-request log line (and its child logger) is not worth its cost here.
    logController: new LogController({ disableRequestLogging: true }),
  });

  const securityHeaders = computeSecurityHeaders({ https: services.settings.publicUrl.startsWith('https:') });
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of securityHeaders) raw.setHeader(name, value);
    raw.setHeader('X-Correlation-Id', request.id);
    done();
  });
  await app.register(formbody, { bodyLimit: PROTOCOL_BODY_LIMIT });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) return sendProblem(reply, { status, code: 'request.too_large', title: 'Request body too large', detail: 'Request bodies are limited to 64 KiB.' });
    if (status === 415) return sendProblem(reply, { status, code: 'request.unsupported_media_type', title: 'Unsupported content type' });
    if (status >= 400 && status < 500) {
      return sendProblem(reply, { status, code: 'request.invalid', title: 'Invalid request', detail: error.message });
    }
    request.log.error({ err: error, correlationId: request.id }, 'unhandled error');
    return sendProblem(reply, { status: 500, code: 'server.error', title: 'Something went wrong', detail: 'The error was logged with this correlation id.' });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, { status: 404, code: 'route.not_found', title: 'Not found', detail: `No route for ${request.method} ${request.url.split('?')[0]}` }));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const ready = await services.database.isReachable();
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'database unreachable' });
  });
  app.get('/assets/tessera.css', async (_request, reply) =>
    reply.type('text/css').header('Cache-Control', 'public, max-age=3600').send(STYLESHEET));

  await registerStrengthAsset(app);
  await registerPasskeyAsset(app);

  // Accounts: flows (pages and JSON API), emailed links, and the development outbox.
  const account = createAccountDeps(services, audit, {
    info: (fields, message) => app.log.info(fields, message),
    warn: (fields, message) => app.log.warn(fields, message),
  });
  app.addHook('onClose', async () => account.close());
  const basePath = publicBasePath(services.settings);
  const csrf = createCsrfTokens(services.masterKey.key);
  const pages = createPages(basePath);
  const contexts = createAccountContexts({
    deps: account.deps, registry, basePath, secureCookies: services.settings.publicUrl.startsWith('https:'),
  });
  await registerOutboxRoutes(app, {
    db: services.db, basePath, enabled: isOutboxEnabled({ mailMode: account.mailer.mode, production: services.settings.production }),
  });
  await registerFlowApiRoutes(app, { contexts, publicUrl: services.settings.publicUrl });
  await registerAccountPageRoutes(app, { contexts, csrf, pages });
  await registerMagicLinkRoutes(app, { contexts, csrf, pages });
  await registerConsentRoutes(app, { contexts, csrf, pages });
  await registerInteractionRoutes(app, { services, registry, csrf, pages, contexts });
  await registerManagementApi(app, {
    db: services.db, registry, publicUrl: services.settings.publicUrl, basePath,
    services: managementServices(services),
    revoked: (tenantId) => new (createOidcAdapterClass({ db: services.db, tenantId, refreshTokenReuseGraceSeconds: REFRESH_TOKEN_REUSE_GRACE_SECONDS }))('RevokedAccessToken'),
  });
  await registerProtocolRoutes(app, { registry, publicUrl: services.settings.publicUrl });
  return app;
}
