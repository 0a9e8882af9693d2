import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPkce, csrfOf, DAEMON, protocolConfig, readDatabase, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { basicAuth, createHttpClient, form, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * Hostile and malformed input at every door: each gets a specific 4xx (an OAuth error, an
 * error page or a problem document), never a 500, never reflected unescaped into HTML
 * (OWASP XSS Prevention), and never touches stored rows (OWASP SQL Injection Prevention).
 */

/** Strings that break naive SQL, HTML or URL handling. */
const HOSTILE = {
  sqlQuote: "' OR '1'='1' --",
  sqlDrop: 'x"; DROP TABLE users; --',
  sqlUnion: "alice' UNION SELECT password_hash FROM users --",
  script: '<script>alert(1)</script>',
  attribute: '"><img src=x onerror=alert(1)>',
  nul: 'alice\u0000',
  long: 'a'.repeat(5_000),
} as const;
const HOSTILE_CASES = Object.entries(HOSTILE);

let server: TestServer;
let issuer: string;
let before: Snapshot;

interface Snapshot {
  users: unknown[];
  audit: { id: string; type: string; data: unknown }[];
  tables: string[];
}

async function snapshot(options: { restart?: boolean } = {}): Promise<Snapshot> {
  return readDatabase(server, async (db) => ({
    users: await db.selectFrom('users').selectAll().orderBy('id').execute(),
    audit: await db.selectFrom('audit_events').select(['id', 'type', 'data']).orderBy('id').execute(),
    tables: (await db.introspection.getTables()).map((table) => table.name).sort(),
  }), options);
}

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  issuer = server.issuer(TENANT);
  before = await snapshot();
});
afterAll(() => server?.dispose());

/** Fails with the server's output when a response is a 5xx. */
function expectNoServerError(response: Response, what: string) {
  expect(response.status, `${what} → ${response.status}\n${response.status >= 500 ? server.output().slice(-3000) : ''}`).toBeLessThan(500);
}

async function post(url: string, body: string | URLSearchParams, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const DAEMON_AUTH = { ...FORM, authorization: basicAuth(DAEMON.clientId, DAEMON.secret) };

describe('request bodies', () => {
  it('refuses a body over 64 KiB with 413, on the token endpoint and the sign-in form', async () => {
    const big = form({ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default`, padding: 'x'.repeat(70 * 1024) });
    for (const url of [`${issuer}/token`, `${server.url}/${TENANT}/interaction/abcdef`]) {
      const response = await post(url, big, DAEMON_AUTH);
      expect(response.status, url).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toMatchObject({ status: 413, code: 'request.too_large' });
    }
  });

  it('accepts a body just under the limit (the limit is not off by a lot)', async () => {
    const fields = { grant_type: 'urn:example:not-a-grant', scope: `${WEATHER_API}/.default` };
    const padding = 60 * 1024;
    const response = await post(`${issuer}/token`, form({ ...fields, padding: 'x'.repeat(padding) }), DAEMON_AUTH);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it.each([
    // Undecodable percent-escapes are kept literally, so the scope is simply unknown.
    ['an undecodable escape', 'grant_type=client_credentials&scope=%E0%A4%A&%%%', 'invalid_scope'],
    ['a repeated parameter', 'grant_type=client_credentials&grant_type=client_credentials&scope=api%3A%2F%2Fweather%2F.default', 'invalid_request'],
    ['only separators', '&&&===', 'invalid_request'],
    ['control characters', '\u0000\u0001\u0002', 'invalid_request'],
  ])('answers a malformed form body (%s) with a specific OAuth error', async (_name, body, error) => {
    const response = await post(`${issuer}/token`, body, DAEMON_AUTH);
    expectNoServerError(response, JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error });
  });

  it('refuses JSON at the token endpoint with invalid_request (RFC 6749 §3.2 is form-encoded)', async () => {
    const json = { 'content-type': 'application/json', authorization: DAEMON_AUTH.authorization };
    for (const body of [JSON.stringify({ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` }), '{"grant_type":', 'null', '[]']) {
      const response = await post(`${issuer}/token`, body, json);
      expectNoServerError(response, body);
      expect(response.status, body).toBe(400);
      expect(await response.json(), body).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('refuses a body whose content type lies', async () => {
    const response = await post(`${issuer}/token`, Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('latin1'), { ...DAEMON_AUTH, 'content-type': 'application/octet-stream' });
    expectNoServerError(response, 'octet-stream');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe.each(HOSTILE_CASES)('hostile string (%s)', (name, value) => {
  // Regression (issue 2): a NUL character used to reach a text parameter of a database query,
  // which PostgreSQL refuses (SQLSTATE 22021), and surfaced as a 500.

  it('as client_id at the token endpoint: invalid_client', async () => {
    for (const [fields, headers] of [
      [{ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default`, client_id: value, client_secret: DAEMON.secret }, FORM],
      [{ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` }, { ...FORM, authorization: basicAuth(value, DAEMON.secret) }],
    ] as const) {
      const response = await post(`${issuer}/token`, form(fields), headers);
      expectNoServerError(response, 'client_id');
      expect([400, 401]).toContain(response.status);
      const body = await response.json() as { error: string };
      expect(['invalid_client', 'invalid_request']).toContain(body.error);
    }
  });

  it('as client_id at the authorization endpoint: an escaped 400 error page, no redirect', async () => {
    const url = new URL(`${issuer}/auth`);
    url.search = form({ client_id: value, response_type: 'code', redirect_uri: WEB.redirectUri, scope: 'openid', code_challenge: 'a'.repeat(43), code_challenge_method: 'S256' }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    expectNoServerError(response, 'auth client_id');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expectEscaped(await response.text());
  });

  it('as redirect_uri: an escaped 400 error page, no redirect', async () => {
    const url = await authorizationUrl({ redirect_uri: value });
    const response = await fetch(url, { redirect: 'manual' });
    expectNoServerError(response, 'redirect_uri');
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expectEscaped(await response.text());
  });

  it('as scope at the token endpoint: invalid_scope', async () => {
    const response = await post(`${issuer}/token`, form({ grant_type: 'client_credentials', scope: value }), DAEMON_AUTH);
    expectNoServerError(response, 'token scope');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_scope' });
  });

  it('as scope at the authorization endpoint: an invalid_scope redirect to the application', async () => {
    const response = await fetch(await authorizationUrl({ scope: `openid ${value}` }), { redirect: 'manual' });
    expectNoServerError(response, 'auth scope');
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!);
    expect(location.href.startsWith(WEB.redirectUri)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
  });

  it('as login on the sign-in form: the generic failure, with the input escaped', async () => {
    const http = createHttpClient();
    const { pageUrl, csrf } = await openLoginPage(http);
    const response = await http.fetch(pageUrl, { method: 'POST', headers: FORM, body: form({ csrf, identifier: value, password: 'hostile-password' }) });
    expectNoServerError(response, 'login');
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain(value.includes('\u0000') ? 'The form held something no field accepts'
      : Buffer.byteLength(value) > 1024 ? 'This is too long: at most 1024 bytes.' : 'Incorrect username, email or password.');
    expectEscaped(html);
  });

  it('as the tenant in the path: a 404 problem document', async () => {
    const response = await fetch(`${server.url}/${encodeURIComponent(value)}/.well-known/openid-configuration`);
    expectNoServerError(response, 'tenant');
    if (name === 'long') {
      // Beyond the router's path-parameter limit the answer is 414, still as a problem document.
      expect(response.status).toBe(414);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect((await response.json() as { code: string }).code).toBe('request.uri_too_long');
      return;
    }
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await response.json() as { code: string }).code).toMatch(/^(tenant|route)\.not_found$/);
  });

  it('as the interaction id in the path: a 404 page', async () => {
    const response = await fetch(`${server.url}/${TENANT}/interaction/${encodeURIComponent(value)}`);
    expectNoServerError(response, 'interaction');
    expect(response.status).toBe(404);
    expectEscaped(await response.text());
  });
});

describe('reflected input', () => {
  it('escapes a hostile login_hint in the sign-in page', async () => {
    const hint = '"><script>alert(document.cookie)</script><input value="';
    const http = createHttpClient();
    const step = await http.follow(await authorizationUrl({ login_hint: hint }), undefined, { stopAt: (u) => u.href.startsWith(WEB.redirectUri) });
    expect(step.response.status).toBe(200);
    const html = await step.response.text();
    expect(html).toContain('name="password"');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(document.cookie)&lt;/script&gt;&lt;input value=&quot;"');
    expect(html).not.toContain('<script>alert');
    // Even if something slipped through, the page's CSP forbids inline script.
    const csp = step.response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });
});

describe('stored data', () => {
  it('is unchanged: same users, same tables, earlier audit rows intact, only sign-in failures added', async () => {
    const after = await snapshot({ restart: false });
    expect(after.tables).toEqual(before.tables);
    expect(after.users).toEqual(before.users);
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    const added = after.audit.slice(before.audit.length);
    expect(new Set(added.map((row) => row.type))).toEqual(new Set(['signin.failed']));
  });
});

async function authorizationUrl(overrides: Record<string, string>): Promise<string> {
  const { challenge } = await createPkce();
  const url = new URL(`${issuer}/auth`);
  url.search = form({
    client_id: WEB.clientId, response_type: 'code', redirect_uri: WEB.redirectUri, scope: `openid ${WEATHER_API}/weather.read`,
    state: 'state-1', nonce: 'nonce-1', code_challenge: challenge, code_challenge_method: 'S256', ...overrides,
  }).toString();
  return url.href;
}

async function openLoginPage(http: HttpClient) {
  const step = await http.follow(await authorizationUrl({}), undefined, { stopAt: (u) => u.href.startsWith(WEB.redirectUri) });
  expect(step.response.status).toBe(200);
  return { pageUrl: step.url, csrf: csrfOf(await step.response.text()) };
}

/** No hostile markup survived unescaped. */
function expectEscaped(html: string) {
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toContain('\u0000');
}
