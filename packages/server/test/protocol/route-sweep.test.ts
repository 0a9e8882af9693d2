import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON, protocolConfig, TENANT } from '../support/fixtures.js';
import { basicAuth, startTestServer, type TestServer } from '../support/index.js';

/**
 * Every protocol endpoint and engine page, asked with no cookies and with malformed or hostile
 * parameters, by GET and by POST: whatever the answer, it is never a 5xx, it keeps the security
 * headers, and it shows no stack trace. (Such a sweep found the device pages' bare 500 that
 * test/protocol/device-flow.test.ts now guards.)
 */

const VALUES = ['', '%', "' OR '1'='1' --", '<script>alert(1)</script>', '\u0000', 'a'.repeat(400), '[]', '{"a":1}', '-1', 'ÿ'];
const NAMES = [
  'client_id', 'client_secret', 'grant_type', 'scope', 'resource', 'redirect_uri', 'response_type', 'code', 'code_verifier',
  'code_challenge', 'refresh_token', 'token', 'token_type_hint', 'user_code', 'device_code', 'xsrf', 'id_token_hint',
  'post_logout_redirect_uri', 'prompt', 'max_age', 'claims', 'request', 'subject_token', 'client_assertion',
];

let server: TestServer;
let paths: string[];

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  const issuer = server.issuer(TENANT);
  const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  const advertised = Object.entries(metadata)
    .filter(([name, value]) => (name.endsWith('_endpoint') || name === 'jwks_uri') && typeof value === 'string')
    .map(([, value]) => new URL(value as string).pathname);
  // The engine's pages besides its advertised endpoints, with ids that exist nowhere.
  const prefix = new URL(issuer).pathname;
  paths = [...new Set([...advertised, ...['/device', '/device/no-such-uid', '/auth/no-such-uid', '/session/end/confirm',
    '/session/end/success', '/interaction/no-such-uid', '/.well-known/openid-configuration', '/no-such-endpoint'].map((p) => prefix + p)])];
});
afterAll(() => server?.dispose());

/** Sends one request and returns what is wrong with its answer, if anything. */
async function problemOf(method: 'GET' | 'POST', path: string, query: URLSearchParams, headers: Record<string, string> = {}): Promise<string | undefined> {
  const url = `${server.url}${path}${method === 'GET' ? `?${query}` : ''}`;
  const res = await fetch(url, {
    method, redirect: 'manual', headers: { ...headers, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(method === 'POST' ? { body: query.toString() } : {}),
  });
  const text = await res.text();
  if (res.status >= 500) return `${method} ${path} ${query.toString().slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
  if (res.headers.get('x-content-type-options') !== 'nosniff') return `${method} ${path} → ${res.status} without the security headers`;
  if (/node_modules|\bat \S+ \(|\.ts:\d+/.test(text)) return `${method} ${path} → ${res.status} shows a stack trace`;
  return undefined;
}

describe('malformed input at every protocol endpoint', () => {
  it('never answers 5xx, never drops the security headers, never shows a stack', async () => {
    expect(paths.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const path of paths) {
      for (const method of ['GET', 'POST'] as const) {
        problems.push(...[await problemOf(method, path, new URLSearchParams())].filter((p): p is string => !!p));
        for (const value of VALUES) {
          const query = new URLSearchParams(NAMES.map((name) => [name, value]));
          const problem = await problemOf(method, path, query);
          if (problem) problems.push(problem);
        }
        // A known application, so the checks after client authentication run too.
        const problem = await problemOf(method, path, new URLSearchParams({ grant_type: 'client_credentials', token: 'x', scope: '%' }),
          { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) });
        if (problem) problems.push(problem);
      }
    }
    expect(problems).toEqual([]);
  });
});
