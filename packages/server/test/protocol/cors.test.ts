import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, SPA, TENANT, WEB } from '../support/fixtures.js';
import { basicAuth, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * CORS for browser applications (docs/consent.md, provider/client-cors.ts): an SPA may call the
 * token endpoint from exactly the origins of its redirect URIs; applications with secrets and
 * other origins get no Access-Control-Allow-Origin. Discovery and JWKS are open to every origin.
 */

const SPA_ORIGIN = new URL(SPA.redirectUri).origin;
const WEB_ORIGIN = new URL(WEB.redirectUri).origin;
const OTHER_ORIGIN = 'https://attacker.example';

let server: TestServer;
let issuer: string;

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  issuer = server.issuer(TENANT);
});
afterAll(() => server?.dispose());

/** A token request from a browser at `origin` (an unknown refresh token: the answer's body does not matter, its CORS headers do). */
function tokenRequest(origin: string, client: { clientId: string; secret?: string }) {
  return fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      origin, 'content-type': 'application/x-www-form-urlencoded',
      ...(client.secret ? { authorization: basicAuth(client.clientId, client.secret) } : {}),
    },
    body: form({ grant_type: 'refresh_token', refresh_token: 'unknown-refresh-token', client_id: client.secret ? undefined : client.clientId }),
  });
}

describe('token endpoint', () => {
  it('answers an SPA’s preflight from its redirect URI’s origin', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'OPTIONS',
      headers: { origin: SPA_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('lets the SPA read the answer from its redirect URI’s origin', async () => {
    const response = await tokenRequest(SPA_ORIGIN, SPA);
    expect(response.headers.get('access-control-allow-origin')).toBe(SPA_ORIGIN);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses the SPA from any other origin, without Access-Control-Allow-Origin', async () => {
    for (const origin of [OTHER_ORIGIN, 'http://localhost:5174', 'null']) {
      const response = await tokenRequest(origin, SPA);
      expect(response.status).toBe(400);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(await response.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('allows no origin for a web application, not even its redirect URI’s (its secret must not be in a browser)', async () => {
    const response = await tokenRequest(WEB_ORIGIN, WEB);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('leaves server-to-server requests (no Origin) alone', async () => {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(WEB.clientId, WEB.secret) },
      body: form({ grant_type: 'refresh_token', refresh_token: 'unknown-refresh-token' }),
    });
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('public metadata', () => {
  it('serves discovery and JWKS to every origin', async () => {
    for (const path of ['/.well-known/openid-configuration', '/jwks']) {
      const response = await fetch(`${issuer}${path}`, { headers: { origin: OTHER_ORIGIN } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(OTHER_ORIGIN);
    }
  });
});
