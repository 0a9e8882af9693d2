import type { TestServer } from './test-server.js';

/** A flow as the JSON API returns it (see src/identity/flows/flow-service.ts flowToJson). */
export interface FlowJson {
  id: string;
  type: string;
  state: string;
  ui: {
    action: string;
    nodes: { name: string; type: string; value?: string; messages: { code: string; text: string }[] }[];
    messages: { code: string; type: string; text: string }[];
  };
  session?: { token: string; expires_at: string; user_id: string };
}

export interface FlowResponse { status: number; headers: Headers; body: FlowJson & { code?: string } }

const headers = (token?: string) => ({ 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) });

/** Starts a flow through `POST /{tenant}/api/flows/{type}`. */
export async function startFlow(server: TestServer, tenant: string, type: string, token?: string): Promise<FlowResponse> {
  const res = await fetch(`${server.url}/${tenant}/api/flows/${type}`, { method: 'POST', headers: headers(token) });
  return { status: res.status, headers: res.headers, body: await res.json() as FlowJson };
}

/** Starts a flow with its fields: started and submitted in one request (the flows API's one-request form). */
export async function startFlowWith(server: TestServer, tenant: string, type: string, fields: Record<string, string>): Promise<FlowResponse> {
  const res = await fetch(`${server.url}/${tenant}/api/flows/${type}`, { method: 'POST', headers: headers(), body: JSON.stringify(fields) });
  return { status: res.status, headers: res.headers, body: await res.json() as FlowJson };
}

/** Submits fields to a flow. */
export async function submitFlow(server: TestServer, tenant: string, flow: Pick<FlowJson, 'id' | 'type'>, fields: Record<string, string>,
  token?: string): Promise<FlowResponse> {
  const res = await fetch(`${server.url}/${tenant}/api/flows/${flow.type}/${flow.id}`, { method: 'POST', headers: headers(token), body: JSON.stringify(fields) });
  return { status: res.status, headers: res.headers, body: await res.json() as FlowJson };
}

/** Starts a flow and submits it in one go. */
export async function runFlow(server: TestServer, tenant: string, type: string, fields: Record<string, string>, token?: string): Promise<FlowResponse> {
  const started = await startFlow(server, tenant, type, token);
  if (started.status !== 201) throw new Error(`starting ${type} flow: ${started.status} ${JSON.stringify(started.body)}`);
  return submitFlow(server, tenant, started.body, fields, token);
}

/** `{ field: [codes] }` of a flow's form, plus `_` for form-level messages. */
export function messageCodes(flow: FlowJson): Record<string, string[]> {
  const codes: Record<string, string[]> = {};
  if (flow.ui.messages.length) codes._ = flow.ui.messages.map((m) => m.code);
  for (const node of flow.ui.nodes) if (node.messages.length) codes[node.name] = node.messages.map((m) => m.code);
  return codes;
}

/** The 6-digit code in a mail's text. */
export function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match?.[1]) throw new Error(`no 6-digit code in mail:\n${text}`);
  return match[1];
}

export async function signInApi(server: TestServer, tenant: string, identifier: string, password: string): Promise<FlowResponse> {
  return runFlow(server, tenant, 'login', { identifier, password });
}

export async function whoami(server: TestServer, tenant: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/${tenant}/api/session`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}
