import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON, protocolConfig, TENANT, WEATHER_API } from '../../server/test/support/fixtures.js';
import { basicAuth, form, startTestServer } from '../../server/test/support/index.js';
import type { TestServer } from '../../server/test/support/index.js';
import { authorizeRequest, createGuard, requireRoles, requireScopes } from '../src/index.js';
import type { Guard } from '../src/index.js';

/**
 * Interop: one guard trusts two issuers — a bare oidc-provider standing in for any generic
 * OpenID Connect issuer, and a real Tessera server — and accepts each one's access tokens
 * for its own audience; Tessera's daemon token passes on its app role and is refused a
 * delegated scope it was never granted.
 */

const BARE_AUDIENCE = 'https://weather.example/api';
const BARE_CLIENT = { id: 'generic-daemon', secret: 'generic-daemon-secret-0123456789' };

let bare: Server;
let bareIssuer: string;
let tessera: TestServer;
let guard: Guard;

async function startBareProvider(): Promise<void> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  bare = createServer();
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  bareIssuer = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  const provider = new Provider(bareIssuer, {
    clients: [{ client_id: BARE_CLIENT.id, client_secret: BARE_CLIENT.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'bare-rs', alg: 'RS256', use: 'sig' }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => BARE_AUDIENCE,
        getResourceServerInfo: () => ({ scope: 'weather.read', audience: BARE_AUDIENCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
    },
  });
  bare.on('request', provider.callback());
}

async function token(url: string, clientId: string, secret: string, fields: Record<string, string>): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth(clientId, secret) },
    body: form({ grant_type: 'client_credentials', ...fields }),
  });
  const body = await response.json() as { access_token?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.access_token as string;
}

beforeAll(async () => {
  await startBareProvider();
  tessera = await startTestServer({ config: protocolConfig() });
  guard = createGuard({ issuer: [bareIssuer, tessera.issuer(TENANT)], audience: [BARE_AUDIENCE, WEATHER_API] });
});
afterAll(async () => {
  await tessera?.dispose();
  await new Promise((resolve) => bare?.close(resolve));
});

describe('a guard trusting a generic OIDC issuer and Tessera', () => {
  it('accepts a bare oidc-provider client_credentials JWT for a resource indicator (RFC 8707)', async () => {
    const accessToken = await token(`${bareIssuer}/token`, BARE_CLIENT.id, BARE_CLIENT.secret, { resource: BARE_AUDIENCE, scope: 'weather.read' });
    const result = await authorizeRequest(guard, `Bearer ${accessToken}`, [requireScopes('weather.read')]);
    expect(result).toMatchObject({ ok: true, claims: { iss: bareIssuer, aud: BARE_AUDIENCE, client_id: BARE_CLIENT.id } });
  });

  it("passes Tessera's daemon token on its app role and refuses a scope it lacks with 403 naming it", async () => {
    const accessToken = await token(`${tessera.issuer(TENANT)}/token`, DAEMON.clientId, DAEMON.secret, { scope: `${WEATHER_API}/.default` });
    const allowed = await authorizeRequest(guard, `Bearer ${accessToken}`, [requireRoles('app.weather')]);
    expect(allowed).toMatchObject({ ok: true, claims: { iss: tessera.issuer(TENANT), aud: WEATHER_API, tid: TENANT, roles: ['app.weather'] } });
    const refused = await authorizeRequest(guard, `Bearer ${accessToken}`, [requireScopes('weather.write')]);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.status).toBe(403);
    expect(refused.error.wwwAuthenticate).toBe('Bearer error="insufficient_scope", error_description="token lacks scope weather.write", scope="weather.write"');
  });

  it("refuses Tessera's token at an audience it was not issued for", async () => {
    const accessToken = await token(`${tessera.issuer(TENANT)}/token`, DAEMON.clientId, DAEMON.secret, { scope: `${WEATHER_API}/.default` });
    const other = createGuard({ issuer: tessera.issuer(TENANT), audience: BARE_AUDIENCE });
    await expect(other.verify(accessToken)).rejects.toMatchObject({ code: 'ERR_GUARD_TOKEN_INVALID', description: 'token is for another audience (aud)' });
  });
});
