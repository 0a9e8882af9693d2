import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificate, type TestCertificate } from '../../server/test/support/fixtures.js';
import { createClientApplication, OAuthError } from '../src/index.js';

/**
 * Interop: the client against a bare oidc-provider configured as a generic OpenID Connect
 * issuer (no Tessera conventions: plain scopes, RFC 8707 `resource` names the API), with a
 * client secret and with private_key_jwt.
 */

const AUDIENCE = 'https://weather.example.com';
const SECRET_CLIENT = { clientId: 'generic-daemon', secret: 'generic-secret-0123456789abcdef' } as const;
const KEY_CLIENT = 'generic-keyed-daemon';

let server: Server;
let issuer: string;
let cert: TestCertificate;

beforeAll(async () => {
  cert = await createTestCertificate('ES256', 'generic-daemon');
  const publicJwk = new X509Certificate(cert.pem).publicKey.export({ format: 'jwk' });
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: SECRET_CLIENT.clientId, client_secret: SECRET_CLIENT.secret, grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
      {
        client_id: KEY_CLIENT, grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
        token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [publicJwk as never] },
      },
    ],
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        getResourceServerInfo: () => ({ scope: 'forecast:read', audience: AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  });
  server.on('request', provider.callback());
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function verify(token: string) {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: AUDIENCE, typ: 'at+jwt' });
  return payload;
}

describe('a generic OpenID Connect issuer (bare oidc-provider)', () => {
  it('issues a client-credentials token to the client secret, resource naming the API', async () => {
    const app = createClientApplication({ authority: issuer, clientId: SECRET_CLIENT.clientId, credential: { clientSecret: SECRET_CLIENT.secret } });
    const result = await app.acquireTokenForClient({ scopes: ['forecast:read'], resource: AUDIENCE });
    expect(result.scopes).toEqual(['forecast:read']);
    expect(result.expiresOn.getTime() - Date.now()).toBeGreaterThan(590_000);
    expect(await verify(result.accessToken)).toMatchObject({ client_id: SECRET_CLIENT.clientId, scope: 'forecast:read' });
  });

  it('authenticates with private_key_jwt (the x5t#S256 header is ignored by a provider that selects keys itself)', async () => {
    const app = createClientApplication({ authority: issuer, clientId: KEY_CLIENT, credential: { certificate: { privateKey: cert.privateKey, certificatePem: cert.pem } } });
    const result = await app.acquireTokenForClient({ scopes: ['forecast:read'], resource: AUDIENCE });
    expect(await verify(result.accessToken)).toMatchObject({ client_id: KEY_CLIENT });
  });

  it('reports the provider’s errors typed', async () => {
    const app = createClientApplication({ authority: issuer, clientId: SECRET_CLIENT.clientId, credential: { clientSecret: 'wrong' } });
    const error = await app.acquireTokenForClient({ scopes: ['forecast:read'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ error: 'invalid_client', status: 401 });
  });
});
