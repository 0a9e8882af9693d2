import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../http/problem.js';
import type { ProviderRegistry } from '../../provider/provider-registry.js';
import type { Adapter } from 'oidc-provider';
import type { Db } from '../../db/database.js';
import { ManagementError } from '../management-error.js';
import { createItem, deleteItem, etagOf, getItem, listItems, updateItem } from '../operations.js';
import type { AnyResourceSpec, ManagementContext, ManagementServices } from '../resource.js';
import { MANAGEMENT_RESOURCES } from '../resources/index.js';
import { assertAllowed, createManagementAuthenticator } from './authenticate.js';
import { buildOpenApiDocument } from './openapi.js';
import { renderReferencePage } from './reference-page.js';
import { API_PREFIX, fastifyPath, routesOf, type ManagementRoute } from './routes.js';

export interface ManagementDeps {
  db: Db;
  registry: ProviderRegistry;
  publicUrl: string;
  basePath: string;
  services: ManagementServices;
  /** The revoked-jti list of a tenant (revocation of JWT access tokens). */
  revoked: (tenantId: string) => Adapter;
}

/**
 * The Management REST API (`/api/v1`): every resource's routes, its OpenAPI 3.1 document and a
 * rendered reference. Errors are RFC 9457 problem documents.
 */
export async function registerManagementApi(app: FastifyInstance, deps: ManagementDeps): Promise<void> {
  const authenticate = createManagementAuthenticator({ registry: deps.registry, publicUrl: deps.publicUrl, revoked: deps.revoked });
  const routes = MANAGEMENT_RESOURCES.flatMap(routesOf);
  const document = buildOpenApiDocument(routes, `${deps.publicUrl}${API_PREFIX}`);
  const reference = renderReferencePage(document, deps.basePath);

  await app.register(async (scope) => {
    // JSON Merge Patch (RFC 7396) bodies are JSON too.
    scope.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
    scope.get(`${API_PREFIX}/openapi.json`, async (_request, reply) => reply.header('Cache-Control', 'no-cache').send(document));
    scope.get(`${API_PREFIX}/reference`, async (_request, reply) => reply.type('text/html').send(reference));
    for (const route of routes) {
      scope.route({
        method: route.method,
        url: fastifyPath(route.path),
        handler: async (request, reply) => {
          try {
            return await handle(route, request, reply);
          } catch (error) {
            if (!(error instanceof ManagementError)) throw error;
            for (const [name, value] of Object.entries(error.headers ?? {})) reply.header(name, value);
            return sendProblem(reply, error.toProblem());
          }
        },
      });
    }
  });

  async function handle(route: ManagementRoute, request: FastifyRequest, reply: FastifyReply) {
    const principal = await authenticate(request);
    const params = request.params as Record<string, string>;
    const { spec, kind } = route;
    // The tenants collection (list, create, delete) belongs to the admin tenant; one tenant may read and change itself.
    const ownTenant = spec.tenantScoped === false && (kind === 'list' || kind === 'create' || kind === 'delete') ? undefined : params.tenant;
    assertAllowed(principal, route.permission, ownTenant, deps.services.adminTenant);
    const ctx: ManagementContext = {
      db: deps.db, tenantId: params.tenant ?? '', parentKey: spec.parent ? params[spec.parent.key] : undefined,
      actor: principal.actor, services: deps.services, now: new Date(),
    };
    const key = params[spec.key.name] ?? '';
    const ifMatch = request.headers['if-match'];
    switch (kind) {
      case 'list':
        return reply.send(await listItems(spec, ctx, request.query as Record<string, unknown>));
      case 'get':
        return sendItem(reply, await getItem(spec, ctx, key));
      case 'create': {
        const { created, after } = await createItem(spec, ctx, request.body);
        invalidate(spec, ctx, after);
        reply.code(201).header('Location', `${request.url.split('?')[0]}/${encodeURIComponent(spec.keyOf(created!.item))}`);
        return sendItem(reply, created!.item, created!.shownOnce);
      }
      case 'update': {
        const { after } = await updateItem(spec, ctx, key, request.body, ifMatch);
        invalidate(spec, ctx, after);
        return sendItem(reply, after!);
      }
      case 'delete':
        await deleteItem(spec, ctx, key, ifMatch);
        invalidate(spec, ctx, null);
        return reply.code(204).send();
    }
  }

  /** This node rebuilds the tenant's provider now; other nodes see the revision bump. */
  function invalidate(spec: AnyResourceSpec, ctx: ManagementContext, after: object | null) {
    if (!spec.affectsProvider) return;
    const tenant = spec.tenantScoped === false && after ? spec.keyOf(after) : ctx.tenantId;
    if (tenant) deps.registry.invalidate(tenant);
  }
}

/** The item with its ETag; values shown once (a new secret) are added to this response only. */
function sendItem(reply: FastifyReply, item: object, shownOnce?: Record<string, string>) {
  reply.header('ETag', etagOf(item)).header('Cache-Control', 'no-store');
  return reply.send(shownOnce ? { ...item, ...shownOnce } : item);
}
