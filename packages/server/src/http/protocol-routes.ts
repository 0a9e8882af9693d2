import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { ProviderRegistry, TenantRuntime } from '../provider/provider-registry.js';
import { rememberScopeForms, rewriteScopeParameters } from '../provider/scope-parameters.js';
import { isValidTenantId } from '../db/repositories/tenants.js';
import { sendProblem } from './problem.js';
import { publicBasePath } from '../config/settings.js';

/** Protocol request bodies are small; larger ones are refused before parsing (64 KiB). */
export const PROTOCOL_BODY_LIMIT = 64 * 1024;

type RawRequest = IncomingMessage & { originalUrl?: string; body?: unknown; correlationId?: string };

/**
 * Routes `/{tenant}/...` to that tenant's oidc-provider. The body is read here (so the size
 * limit and the API-scope rewrite apply) and handed over pre-parsed; the public URL, not
 * the request's Host, decides every URL oidc-provider builds.
 */
export async function registerProtocolRoutes(app: FastifyInstance, options: { registry: ProviderRegistry; publicUrl: string }) {
  const publicUrl = new URL(options.publicUrl);
  const basePath = publicBasePath({ publicUrl: options.publicUrl });
  const callbacks = new WeakMap<Provider, (req: IncomingMessage, res: ServerResponse) => void>();

  await app.register(async (scope) => {
    // Bodies stay text: oidc-provider parses them itself (form or JSON).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: PROTOCOL_BODY_LIMIT }, (_req, body, done) => done(null, body));

    const handler = async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
      const runtime = await resolveTenant(request.params.tenant, options.registry);
      if (!runtime) {
        return sendProblem(reply, {
          status: 404, code: 'tenant.not_found', title: 'Unknown tenant',
          detail: 'No tenant has this id. The issuer URL is {public URL}/{tenant id}.',
        });
      }
      const raw = request.raw as RawRequest;
      await rewriteRequest(request, raw, runtime);
      const url = raw.url ?? '/';
      const prefix = `/${request.params.tenant}`;
      raw.originalUrl = basePath + url;
      raw.url = url.slice(prefix.length) || '/';
      if (!raw.url.startsWith('/')) raw.url = `/${raw.url}`;
      raw.correlationId = request.id;
      raw.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
      raw.headers['x-forwarded-host'] = publicUrl.host;
      delete raw.headers['x-forwarded-port'];
      delete raw.headers.forwarded;

      reply.hijack();
      let callback = callbacks.get(runtime.provider);
      if (!callback) {
        callback = runtime.provider.callback();
        callbacks.set(runtime.provider, callback);
      }
      callback(raw, reply.raw);
    };

    scope.all('/:tenant', handler);
    scope.all('/:tenant/*', handler);
  });
}

async function resolveTenant(tenantId: string, registry: ProviderRegistry): Promise<TenantRuntime | undefined> {
  if (!isValidTenantId(tenantId)) return undefined;
  return registry.get(tenantId);
}

/** Applies the `{api}/{scope}` → `resource` rewrite to the query (GET) or form body (POST). */
async function rewriteRequest(request: FastifyRequest, raw: RawRequest, runtime: TenantRuntime): Promise<void> {
  const body = request.body;
  if (typeof body === 'string') {
    raw.body = body;
    if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
      const params = parseQuery(body) as Record<string, string | string[] | undefined>;
      const forms = await rewriteScopeParameters(params, runtime.snapshot);
      if (forms) {
        raw.body = stringifyQuery(params);
        rememberScopeForms(raw, forms);
      }
    }
  }
  const url = raw.url ?? '/';
  const q = url.indexOf('?');
  if (q !== -1) {
    const params = parseQuery(url.slice(q + 1)) as Record<string, string | string[] | undefined>;
    if (await rewriteScopeParameters(params, runtime.snapshot)) raw.url = `${url.slice(0, q)}?${stringifyQuery(params)}`;
  }
}
