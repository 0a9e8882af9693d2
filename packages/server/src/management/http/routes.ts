import type { AnyResourceSpec } from '../resource.js';

export type OperationKind = 'list' | 'create' | 'get' | 'update' | 'delete';

/** One HTTP operation of a resource; both the router and the OpenAPI document are built from these. */
export interface ManagementRoute {
  spec: AnyResourceSpec;
  kind: OperationKind;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** OpenAPI form: `/api/v1/tenants/{tenant}/applications/{clientId}`. */
  path: string;
  /** `applications.read` or `applications.write`. */
  permission: string;
  /** Path parameters in order. */
  params: string[];
}

export const API_PREFIX = '/api/v1';

const METHODS: Record<OperationKind, ManagementRoute['method']> = { list: 'GET', create: 'POST', get: 'GET', update: 'PATCH', delete: 'DELETE' };

export function routesOf(spec: AnyResourceSpec): ManagementRoute[] {
  const params: string[] = [];
  let collection = API_PREFIX;
  if (spec.tenantScoped !== false) {
    collection += '/tenants/{tenant}';
    params.push('tenant');
  }
  if (spec.parent) {
    collection += `/${spec.parent.name}/{${spec.parent.key}}`;
    params.push(spec.parent.key);
  }
  collection += `/${spec.name}`;
  const item = `${collection}/{${spec.key.name}}`;
  const available: Record<OperationKind, boolean> = {
    list: spec.list !== undefined, create: spec.create !== undefined, get: true,
    update: spec.update !== undefined, delete: spec.delete !== undefined,
  };
  return (Object.keys(METHODS) as OperationKind[]).filter((kind) => available[kind]).map((kind) => {
    const onItem = kind === 'get' || kind === 'update' || kind === 'delete';
    return {
      spec, kind, method: METHODS[kind],
      path: onItem ? item : collection,
      permission: `${spec.area}.${kind === 'list' || kind === 'get' ? 'read' : 'write'}`,
      params: onItem ? [...params, spec.key.name] : params,
    };
  });
}

/** `/a/{b}/c` → `/a/:b/c` (Fastify's form). */
export function fastifyPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ':$1');
}
