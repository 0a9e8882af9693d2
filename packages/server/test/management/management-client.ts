import { basicAuth } from '../support/index.js';
import type { TestServer } from '../support/index.js';

/** The bootstrap credential every management test server starts with (TESSERA_BOOTSTRAP_SECRET). */
export const BOOTSTRAP = { clientId: 'tessera-admin', secret: 'bootstrap-secret-for-tests-0123456789abcdef' } as const;
export const MANAGEMENT_ENV = { TESSERA_BOOTSTRAP_SECRET: BOOTSTRAP.secret } as const;

export interface ApiReply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { items?: Record<string, unknown>[]; errors?: { path: string; message: string }[]; code?: string };
}

/** A client_credentials token for the management API from `tenant`'s token endpoint. */
export async function managementToken(server: TestServer, client: { clientId: string; secret: string } = BOOTSTRAP, tenant = 'admin'): Promise<string> {
  const response = await fetch(`${server.issuer(tenant)}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client.clientId, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'tessera:management/.default' }),
  });
  const body = await response.json() as { access_token?: string };
  if (!body.access_token) throw new Error(`no management token: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Calls the management API: `call('POST', '/tenants/demo/applications', body)`. */
export function createManagementCaller(server: TestServer, token: () => string | undefined) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiReply> => {
    const bearer = token();
    const response = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) as ApiReply['body'] : {} };
  };
}
