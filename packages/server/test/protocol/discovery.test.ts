import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, TENANT } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/index.js';

/**
 * OpenID Connect Discovery 1.0 and the JWKS of a tenant, and what every response carries:
 * security headers and a correlation id. Also: what is not a tenant.
 */

let server: TestServer;
let issuer: string;

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  issuer = server.issuer(TENANT);
});
afterAll(() => server?.dispose());

async function getJson(url: string): Promise<{ response: Response; body: Record<string, unknown> }> {
  const response = await fetch(url);
  return { response, body: await response.json() as Record<string, unknown> };
}

describe('discovery document', () => {
  it('names the issuer exactly and puts every endpoint under it', async () => {
    const { response, body } = await getJson(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body.issuer).toBe(issuer);
    expect(body).toMatchObject({
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/me`,
      revocation_endpoint: `${issuer}/token/revocation`,
      end_session_endpoint: `${issuer}/session/end`,
    });
    for (const [key, value] of Object.entries(body)) {
      if (key.endsWith('_endpoint') || key === 'jwks_uri') expect(String(value), key).toMatch(new RegExp(`^${issuer}/`));
    }
  });

  it('advertises code flow with S256 PKCE only, the grants and the signing algorithms', async () => {
    const { body } = await getJson(`${issuer}/.well-known/openid-configuration`);
    expect(body.code_challenge_methods_supported).toEqual(['S256']);
    // No implicit or hybrid flow (OAuth 2.0 Security BCP §2.1.2).
    expect(body.response_types_supported).toEqual(['code']);
    expect(body.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(body.grant_types_supported).not.toContain('implicit');
    expect(body.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    expect(body.id_token_signing_alg_values_supported).not.toContain('none');
    expect(body.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']),
    );
    expect(body.scopes_supported).toEqual(expect.arrayContaining(['openid', 'offline_access']));
    expect(body.subject_types_supported).toContain('pairwise');
  });
});

describe('JWKS', () => {
  it('publishes ES256 and RS256 public keys, and no private key material', async () => {
    const { response, body } = await getJson(`${issuer}/jwks`);
    expect(response.status).toBe(200);
    const keys = body.keys as Record<string, unknown>[];
    expect(keys.map((key) => key.alg)).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    for (const key of keys) {
      expect(typeof key.kid).toBe('string');
      expect(key.use ?? 'sig').toBe('sig');
      expect(key.kty).toBe(key.alg === 'ES256' ? 'EC' : 'RSA');
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']) expect(key, `${String(key.kid)} has "${member}"`).not.toHaveProperty(member);
    }
    expect(new Set(keys.map((key) => key.kid)).size).toBe(keys.length);
  });
});

describe('what is not a tenant', () => {
  it('answers an unknown tenant with a 404 problem document', async () => {
    const response = await fetch(`${server.url}/no-such-tenant/.well-known/openid-configuration`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await response.json() as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 404, code: 'tenant.not_found', type: 'urn:tessera:problem:tenant.not_found' });
    expect(problem.title).toEqual(expect.any(String));
  });

  it.each(['api', 'healthz', 'readyz', 'assets', 'console', 'metrics'])('does not treat the reserved name "%s" as a tenant', async (name) => {
    const response = await fetch(`${server.url}/${name}/.well-known/openid-configuration`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await response.json() as { code: string; issuer?: unknown };
    expect(problem.code).toMatch(/^(tenant|route)\.not_found$/);
    expect(problem).not.toHaveProperty('issuer');
  });
});

describe('health', () => {
  it('answers /healthz and /readyz with 200', async () => {
    const health = await getJson(`${server.url}/healthz`);
    expect(health.response.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await getJson(`${server.url}/readyz`);
    expect(ready.response.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });
});

describe('headers on every response', () => {
  const paths = () => [
    `${issuer}/.well-known/openid-configuration`,
    `${issuer}/jwks`,
    `${server.url}/healthz`,
    `${server.url}/no-such-tenant/jwks`,
  ];

  it('sends CSP, nosniff and X-Frame-Options DENY, from our routes and oidc-provider\'s alike', async () => {
    for (const url of paths()) {
      const response = await fetch(url);
      const csp = response.headers.get('content-security-policy');
      expect(csp, url).toContain("default-src 'none'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), url).toBe('DENY');
    }
  });

  it('gives each response its own X-Correlation-Id', async () => {
    const ids: string[] = [];
    for (const url of [...paths(), ...paths()]) {
      const id = (await fetch(url)).headers.get('x-correlation-id');
      expect(id, url).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      ids.push(id!);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the correlation id of the response in a problem document', async () => {
    const response = await fetch(`${server.url}/no-such-tenant/jwks`);
    const problem = await response.json() as { correlation_id?: string };
    expect(problem.correlation_id).toBe(response.headers.get('x-correlation-id'));
  });
});
