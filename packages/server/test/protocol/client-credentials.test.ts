import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestCertificate, DAEMON, discoverClient, readDatabase, REPORTS_API, REPORTS_DAEMON, REPORTS_TOKEN_LIFETIME,
  protocolConfig, TENANT, WEATHER_API, type TestCertificate,
} from '../support/fixtures.js';
import { basicAuth, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * The client_credentials grant (RFC 6749 §4.4) for daemons: one application authenticating
 * with a secret (basic and post) and with either of two certificates (private_key_jwt,
 * RFC 7523, identified the way MSAL does by `x5t#S256` or `x5t`), and the RFC 9068 access
 * tokens it receives, verified with jose against the tenant's JWKS.
 */

let server: TestServer;
let issuer: string;
let tokenEndpoint: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let rsa: TestCertificate;
let ec: TestCertificate;
/** Registered nowhere. */
let stranger: TestCertificate;
/** Every token issued in this file, for the audit check at the end. */
const issuedJtis: string[] = [];
const oids = new Set<string>();

beforeAll(async () => {
  [rsa, ec, stranger] = await Promise.all([createTestCertificate('RS256'), createTestCertificate('ES256'), createTestCertificate('RS256', 'stranger')]);
  server = await startTestServer({ config: protocolConfig({ daemonCertificates: [rsa.pem, ec.pem] }) });
  issuer = server.issuer(TENANT);
  tokenEndpoint = `${issuer}/token`;
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
});
afterAll(() => server?.dispose());

interface TokenReply {
  status: number;
  body: Record<string, unknown>;
}

async function tokenRequest(fields: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<TokenReply> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

/** A client assertion (RFC 7523 §3) for weather-daemon, signed by `cert`'s key. */
async function assertion(cert: TestCertificate, options: { aud?: string; jti?: string; header?: Record<string, unknown>; signWith?: TestCertificate } = {}): Promise<string> {
  const header = options.header ?? { 'x5t#S256': cert.x5tS256 };
  return new SignJWT({ jti: options.jti ?? randomUUID() })
    .setProtectedHeader({ alg: cert.alg, typ: 'JWT', ...header })
    .setIssuer(DAEMON.clientId)
    .setSubject(DAEMON.clientId)
    .setAudience(options.aud ?? issuer)
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign((options.signWith ?? cert).privateKey);
}

function assertionFields(clientAssertion: string, scope = `${WEATHER_API}/.default`) {
  return {
    grant_type: 'client_credentials',
    scope,
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: clientAssertion,
  };
}

async function verifyAccessToken(token: string, audience = WEATHER_API) {
  return jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt' });
}

/** Every claim a daemon's token for the Weather API carries (RFC 9068 §2.2 plus Tessera's). */
async function expectDaemonToken(token: string): Promise<JWTPayload> {
  const { payload, protectedHeader } = await verifyAccessToken(token);
  expect(protectedHeader).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: expect.any(String) });
  expect(payload).toMatchObject({
    iss: issuer,
    sub: DAEMON.clientId,
    aud: WEATHER_API,
    client_id: DAEMON.clientId,
    azp: DAEMON.clientId,
    tid: TENANT,
    oid: expect.any(String),
    roles: ['app.weather'],
    jti: expect.any(String),
  });
  // .default asks for the app roles only: no delegated scope, and no user's display names.
  expect(payload).not.toHaveProperty('scope');
  expect(payload).not.toHaveProperty('name');
  expect(payload).not.toHaveProperty('preferred_username');
  const { iat = 0, nbf, exp = 0 } = payload;
  expect(nbf).toBe(iat);
  expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(60);
  // No accessTokenLifetime on this API: a random 60–90 minutes.
  expect(exp - iat).toBeGreaterThanOrEqual(60 * 60);
  expect(exp - iat).toBeLessThanOrEqual(90 * 60);
  issuedJtis.push(payload.jti!);
  oids.add(String(payload.oid));
  return payload;
}

describe('client secret', () => {
  it('authenticates with client_secret_basic and gets an app-role token for the API', async () => {
    const config = await discoverClient(server, DAEMON.clientId, oidc.ClientSecretBasic(DAEMON.secret));
    const response = await oidc.clientCredentialsGrant(config, { scope: `${WEATHER_API}/.default` });
    expect(response.token_type.toLowerCase()).toBe('bearer');
    expect(response.refresh_token).toBeUndefined();
    expect(response.id_token).toBeUndefined();
    const payload = await expectDaemonToken(response.access_token);
    expect(Math.abs(response.expires_in! - (payload.exp! - payload.iat!))).toBeLessThanOrEqual(2);
  });

  it('authenticates with client_secret_post', async () => {
    const config = await discoverClient(server, DAEMON.clientId, oidc.ClientSecretPost(DAEMON.secret));
    const response = await oidc.clientCredentialsGrant(config, { scope: `${WEATHER_API}/.default` });
    await expectDaemonToken(response.access_token);
  });

  it('accepts the RFC 8707 form, resource=api://weather', async () => {
    const reply = await tokenRequest({ grant_type: 'client_credentials', resource: WEATHER_API }, { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    await expectDaemonToken(String(reply.body.access_token));
  });

  it('issues a token with a new jti each time', async () => {
    const auth = { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) };
    const fields = { grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` };
    const [a, b] = await Promise.all([tokenRequest(fields, auth), tokenRequest(fields, auth)]);
    const [pa, pb] = await Promise.all([expectDaemonToken(String(a.body.access_token)), expectDaemonToken(String(b.body.access_token))]);
    expect(pa.jti).not.toBe(pb.jti);
  });
});

describe('certificates (private_key_jwt) on the same application', () => {
  it('authenticates with the RSA certificate named by x5t#S256 (openid-client)', async () => {
    const auth = oidc.PrivateKeyJwt(rsa.privateKey, {
      [oidc.modifyAssertion]: (header) => { (header as Record<string, unknown>)['x5t#S256'] = rsa.x5tS256; },
    });
    const config = await discoverClient(server, DAEMON.clientId, auth, { token_endpoint_auth_method: 'private_key_jwt' });
    const response = await oidc.clientCredentialsGrant(config, { scope: `${WEATHER_API}/.default` });
    await expectDaemonToken(response.access_token);
  });

  it('authenticates with the EC certificate named by the SHA-1 x5t header only, as MSAL sends it', async () => {
    const signed = await assertion(ec, { header: { x5t: ec.x5t } });
    expect(decodeProtectedHeader(signed)).not.toHaveProperty('kid');
    const reply = await tokenRequest(assertionFields(signed));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    await expectDaemonToken(String(reply.body.access_token));
  });

  it('accepts the token endpoint as the assertion audience', async () => {
    const reply = await tokenRequest(assertionFields(await assertion(rsa, { aud: tokenEndpoint })));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    await expectDaemonToken(String(reply.body.access_token));
  });

  it('gives secret and certificate callers the same application identity (oid)', () => {
    expect(oids.size).toBe(1);
  });
});

describe('per-API token settings', () => {
  it('signs tokens for an RS256 API with RS256, for its fixed lifetime', async () => {
    const reply = await tokenRequest(
      { grant_type: 'client_credentials', scope: `${REPORTS_API}/.default` },
      { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) },
    );
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const token = String(reply.body.access_token);
    const { payload, protectedHeader } = await verifyAccessToken(token, REPORTS_API);
    expect(protectedHeader).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({ aud: REPORTS_API, roles: ['app.reports'], client_id: DAEMON.clientId, tid: TENANT });
    expect(payload.exp! - payload.iat!).toBe(REPORTS_TOKEN_LIFETIME);
    expect(reply.body.expires_in).toBe(REPORTS_TOKEN_LIFETIME);
    issuedJtis.push(payload.jti!);
  });
});

describe('refused requests', () => {
  const weatherDefault = { grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` };

  it.each([
    ['basic', (secret: string) => [weatherDefault, { authorization: basicAuth(DAEMON.clientId, secret) }] as const],
    ['post', (secret: string) => [{ ...weatherDefault, client_id: DAEMON.clientId, client_secret: secret }, {}] as const],
  ])('refuses a wrong secret (client_secret_%s) with 401 invalid_client', async (_method, request) => {
    const [fields, headers] = request('not-the-secret-0123456789abcdef');
    const reply = await tokenRequest(fields, headers);
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
    expect(reply.body).not.toHaveProperty('access_token');
  });

  it('refuses an unknown client with 401 invalid_client', async () => {
    const reply = await tokenRequest(weatherDefault, { authorization: basicAuth('no-such-daemon', DAEMON.secret) });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
  });

  it('refuses an assertion signed by a key no certificate of the application holds', async () => {
    const reply = await tokenRequest(assertionFields(await assertion(stranger)));
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
  });

  it('refuses an assertion that names a registered certificate but is signed by another key', async () => {
    const reply = await tokenRequest(assertionFields(await assertion(rsa, { signWith: stranger })));
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
  });

  it('refuses an assertion for another audience', async () => {
    const reply = await tokenRequest(assertionFields(await assertion(rsa, { aud: 'https://login.example.com/token' })));
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_client');
  });

  it('refuses a client assertion used twice (same jti, RFC 7523 §3 item 7)', async () => {
    const signed = await assertion(rsa);
    const first = await tokenRequest(assertionFields(signed));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    issuedJtis.push(String((await verifyAccessToken(String(first.body.access_token))).payload.jti));
    const replay = await tokenRequest(assertionFields(signed));
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
  });

  it('refuses a delegated scope: daemons carry app roles (invalid_scope)', async () => {
    const reply = await tokenRequest(
      { grant_type: 'client_credentials', scope: `${WEATHER_API}/weather.read` },
      { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_scope');
  });

  it('refuses a scope the API does not define (invalid_scope)', async () => {
    const reply = await tokenRequest(
      { grant_type: 'client_credentials', scope: `${WEATHER_API}/weather.delete` },
      { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_scope');
  });

  it('refuses an unknown API (invalid_target, RFC 8707 §2)', async () => {
    const reply = await tokenRequest(
      { grant_type: 'client_credentials', scope: 'api://nowhere/.default' },
      { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) },
    );
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('invalid_target');
  });

  it('refuses a daemon without an app role on the API (unauthorized_client)', async () => {
    const reply = await tokenRequest(weatherDefault, { authorization: basicAuth(REPORTS_DAEMON.clientId, REPORTS_DAEMON.secret) });
    expect(reply.status).toBe(400);
    expect(reply.body.error).toBe('unauthorized_client');
  });

  it('adds a correlation id to OAuth error bodies', async () => {
    const response = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth('no-such-daemon', 'x'.repeat(20)) },
      body: form(weatherDefault),
    });
    const body = await response.json() as Record<string, unknown>;
    expect(body.correlation_id).toBe(response.headers.get('x-correlation-id'));
  });
});

describe('verification by an API (jose)', () => {
  let token: string;
  let exp: number;

  beforeAll(async () => {
    const reply = await tokenRequest({ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` }, { authorization: basicAuth(DAEMON.clientId, DAEMON.secret) });
    token = String(reply.body.access_token);
    exp = (await expectDaemonToken(token)).exp!;
  });

  it('rejects the token for another audience', async () => {
    const error = await jwtVerify(token, jwks, { issuer, audience: REPORTS_API, typ: 'at+jwt' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
    expect(error).toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
  });

  it('rejects the token once it has expired', async () => {
    await expect(jwtVerify(token, jwks, { issuer, audience: WEATHER_API, currentDate: new Date((exp - 1) * 1000) })).resolves.toBeTruthy();
    const error = await jwtVerify(token, jwks, { issuer, audience: WEATHER_API, currentDate: new Date((exp + 1) * 1000) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(joseErrors.JWTExpired);
    expect(error).toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('rejects the token as an ID token or any other type (typ)', async () => {
    const error = await jwtVerify(token, jwks, { issuer, audience: WEATHER_API, typ: 'JWT' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' });
  });
});

describe('audit', () => {
  it('records token.issued for every token, with its jti and never the token', async () => {
    const { rows, app } = await readDatabase(server, async (db) => ({
      rows: await db.selectFrom('audit_events').selectAll().where('type', '=', 'token.issued').execute(),
      app: await db.selectFrom('applications').select('id').where('client_id', '=', DAEMON.clientId).executeTakeFirstOrThrow(),
    }), { restart: false });
    const byJti = new Map(rows.map((row) => [String(row.data.jti), row]));
    for (const jti of issuedJtis) {
      const row = byJti.get(jti);
      expect(row, `audit row for ${jti}`).toBeDefined();
      expect(row).toMatchObject({ outcome: 'success', client_id: DAEMON.clientId });
      expect(row!.data).toMatchObject({ grantType: 'client_credentials' });
      expect([WEATHER_API, REPORTS_API]).toContain(row!.data.audience);
      // The token itself must never be stored: no JWT-shaped value anywhere in the row.
      expect(JSON.stringify(row)).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
    }
    expect([...oids]).toEqual([app.id]);
  });
});
