import { z } from 'zod';
import { PageQuerySchema } from '../operations.js';
import { MANAGEMENT_API, MANAGEMENT_PERMISSIONS } from '../management-api.js';
import type { ManagementRoute } from './routes.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

const pascal = (noun: string) => noun.replace(/(^|[ _-])(\w)/g, (_m, _s, c: string) => c.toUpperCase());

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem document',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
    code: { type: 'string', description: 'stable machine-readable code, domain.snake_case' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string', description: 'JSON pointer (RFC 6901) to the field' }, message: { type: 'string' } } } },
    correlation_id: { type: 'string' },
  },
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/**
 * The OpenAPI 3.1 document of the management API, generated from the resources' zod schemas
 * (zod's own JSON Schema 2020-12 output), never written by hand.
 */
export function buildOpenApiDocument(routes: ManagementRoute[], serverUrl: string) {
  const schemas: Record<string, JsonSchema> = { Problem: PROBLEM_SCHEMA };
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Map<string, string>();
  for (const route of routes) {
    const { spec, kind } = route;
    const noun = pascal(spec.noun);
    tags.set(spec.name, spec.description);
    schemas[noun] ??= toSchema(spec.schemas.item, 'output');
    if (kind === 'create' && spec.schemas.create) schemas[`${noun}Create`] = toSchema(spec.schemas.create, 'input');
    if (kind === 'update' && spec.schemas.update) schemas[`${noun}Update`] = toSchema(spec.schemas.update, 'input');
    const itemRef = { $ref: `#/components/schemas/${noun}` };
    const parameters: unknown[] = route.params.map((name) => ({
      name, in: 'path', required: true, schema: { type: 'string' },
      ...(name === spec.key.name ? { description: spec.key.description } : {}),
    }));
    if (kind === 'list') {
      const query = spec.schemas.filter ? PageQuerySchema.extend(spec.schemas.filter.shape) : PageQuerySchema;
      const properties = (toSchema(query, 'input').properties ?? {}) as Record<string, JsonSchema>;
      for (const [name, schema] of Object.entries(properties)) parameters.push({ name, in: 'query', required: false, schema });
    }
    if (kind === 'update' || kind === 'delete') {
      parameters.push({ name: 'If-Match', in: 'header', required: false, description: 'the ETag read last; 412 if the item changed since', schema: { type: 'string' } });
    }
    const body = kind === 'create' || kind === 'update'
      ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${noun}${kind === 'create' ? 'Create' : 'Update'}` } } } } }
      : {};
    const success: Record<string, unknown> = {
      list: { 200: { description: `A page of ${spec.name}`, content: { 'application/json': { schema: {
        type: 'object', required: ['items', 'nextCursor'],
        properties: { items: { type: 'array', items: itemRef }, nextCursor: { type: ['string', 'null'] } },
      } } } } },
      get: { 200: { description: `The ${spec.noun}`, headers: { ETag: { schema: { type: 'string' } } }, content: { 'application/json': { schema: itemRef } } } },
      create: { 201: { description: `The new ${spec.noun}`, headers: { ETag: { schema: { type: 'string' } }, Location: { schema: { type: 'string' } } }, content: { 'application/json': { schema: itemRef } } } },
      update: { 200: { description: `The changed ${spec.noun}`, headers: { ETag: { schema: { type: 'string' } } }, content: { 'application/json': { schema: itemRef } } } },
      delete: { 204: { description: 'Deleted' } },
    }[kind] as Record<string, unknown>;
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: `${kind}${pascal(kind === 'list' ? spec.name : spec.noun)}`,
      summary: `${{ list: 'List', create: 'Create', get: 'Get', update: 'Update', delete: 'Delete' }[kind]} ${kind === 'list' ? spec.name : spec.noun}`,
      tags: [spec.name],
      security: [{ bearer: [route.permission] }],
      'x-permission': route.permission,
      parameters,
      ...body,
      responses: {
        ...success,
        400: problem('Invalid input; `errors[]` points at each field'),
        401: problem('No valid bearer token for tessera:management'),
        403: problem(`The token lacks ${route.permission} or is for another tenant`),
        ...(kind === 'list' || kind === 'create' ? {} : { 404: problem(`No such ${spec.noun}`) }),
        ...(kind === 'create' || kind === 'update' ? { 409: problem('A unique field is taken; `errors[]` names it') } : {}),
        ...(kind === 'update' || kind === 'delete' ? { 412: problem('If-Match does not match the current ETag') } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tessera Management API', version: '1',
      description: `Manage tenants, applications, APIs, users, groups, roles and consent. Authenticate with an access token for the \`${MANAGEMENT_API}\` API (docs/management-api.md).`,
    },
    servers: [{ url: serverUrl }],
    tags: [...tags].map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: `Permissions: ${MANAGEMENT_PERMISSIONS.map((p) => p.name).join(', ')}` },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
