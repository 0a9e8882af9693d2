import { createHash, randomUUID, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCertificate, DAEMON, protocolConfig, TENANT, WEATHER_API, type TestCertificate } from '../support/fixtures.js';
import { form, startTestServer, type TestServer } from '../support/index.js';

/**
 * A certificate past its notAfter no longer authenticates its application (private_key_jwt,
 * RFC 7523): oidc-provider itself checks only the assertion's signature against the client's
 * JWKS, so provider/client-metadata.ts leaves expired certificates out of it. The application's
 * other credentials keep working.
 */

const DAY = 86_400_000;
const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A self-signed ES256 certificate that expired yesterday. */
async function createExpiredCertificate(): Promise<TestCertificate> {
  const keys = await webcrypto.subtle.generateKey(ES256, false, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomUUID().replaceAll('-', '').slice(0, 16), name: 'CN=tessera-test-expired',
    notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY), signingAlgorithm: ES256, keys,
  });
  const der = Buffer.from(cert.rawData);
  return {
    pem: cert.toString('pem'), privateKey: keys.privateKey, alg: 'ES256',
    x5t: createHash('sha1').update(der).digest('base64url'), x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

let server: TestServer;
let current: TestCertificate;
let expired: TestCertificate;

beforeAll(async () => {
  [current, expired] = await Promise.all([createTestCertificate('ES256'), createExpiredCertificate()]);
  server = await startTestServer({ config: protocolConfig({ daemonCertificates: [current.pem, expired.pem] }) });
});
afterAll(() => server?.dispose());

async function tokenWith(cert: TestCertificate, header: Record<string, string>) {
  const issuer = server.issuer(TENANT);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({ alg: cert.alg, typ: 'JWT', ...header })
    .setIssuer(DAEMON.clientId).setSubject(DAEMON.clientId).setAudience(issuer)
    .setIssuedAt().setExpirationTime('2m')
    .sign(cert.privateKey);
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({
      grant_type: 'client_credentials', scope: `${WEATHER_API}/.default`, client_id: DAEMON.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    }),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

describe('an expired certificate', () => {
  it('is refused at the token endpoint with 401 invalid_client, by x5t#S256, x5t or kid', async () => {
    const headers: Record<string, string>[] = [{ 'x5t#S256': expired.x5tS256 }, { x5t: expired.x5t }, { kid: expired.x5tS256 }];
    for (const header of headers) {
      const reply = await tokenWith(expired, header);
      expect(reply.status, JSON.stringify(header)).toBe(401);
      expect(reply.body.error).toBe('invalid_client');
      expect(reply.body.access_token).toBeUndefined();
    }
  });

  it('leaves the application\'s current certificate working', async () => {
    const reply = await tokenWith(current, { 'x5t#S256': current.x5tS256 });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.token_type).toBe('Bearer');
  });
});
