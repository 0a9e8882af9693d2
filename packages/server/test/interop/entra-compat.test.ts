import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeThroughPages, createPkce, createTestCertificate, DAEMON, discoverClient, jwtClaims, protocolConfig, TENANT,
  WEATHER_API, WEB, type TestCertificate,
} from '../support/fixtures.js';
import { basicAuth, createHttpClient, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * Entra ID compatibility on the wire (docs/entra-compatibility.md): the discovery document at
 * MSAL's `{authority}/v2.0/.well-known/openid-configuration`, MSAL's extra parameters
 * (`client_info`, `x-client-*`, `claims`) accepted at the authorization and token endpoints,
 * and `client_info` in token responses that carry an ID token. MSAL Python itself runs in
 * msal-python.test.ts.
 */

let server: TestServer;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let web: oidc.Configuration;
let certificate: TestCertificate;

beforeAll(async () => {
  certificate = await createTestCertificate('RS256');
  server = await startTestServer({ config: protocolConfig({ daemonCertificates: [certificate.pem] }) });
  issuer = server.issuer(TENANT);
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
});
afterAll(() => server?.dispose());

/** What MSAL Python 1.21, msal-node and MSAL.NET send beside the protocol's own parameters. */
const MSAL_TELEMETRY = {
  'x-client-SKU': 'MSAL.Python',
  'x-client-Ver': '1.21.0',
  'x-client-OS': 'linux',
  'x-client-CPU': 'x64',
  'x-client-current-telemetry': '4|730,2|,,,,|0',
  'x-client-last-telemetry': '4|0|||',
  'x-ms-lib-capability': 'retry-after, h429',
};
/** MSAL's client-capabilities claims request (`client_capabilities=["CP1"]`), OIDC Core §5.5 syntax. */
const CP1_CLAIMS = JSON.stringify({ access_token: { xms_cc: { values: ['CP1'] } } });

async function tokenRequest(fields: Record<string, string | undefined>, headers: Record<string, string> = {}) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form(fields),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

function decodeClientInfo(value: unknown): unknown {
  expect(value).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
  return JSON.parse(Buffer.from(value as string, 'base64url').toString('utf8'));
}

describe('discovery', () => {
  it('serves the same discovery document at {issuer}/v2.0/.well-known/openid-configuration, issuer unchanged', async () => {
    const [plain, v2] = await Promise.all([
      fetch(`${issuer}/.well-known/openid-configuration`),
      fetch(`${issuer}/v2.0/.well-known/openid-configuration`),
    ]);
    expect(v2.status).toBe(200);
    expect(v2.headers.get('content-type')).toMatch(/^application\/json/);
    const document = await v2.json() as Record<string, unknown>;
    expect(document).toEqual(await plain.json());
    // OIDC Discovery §4.3: the issuer is the tenant's, not the URL the document was read from.
    expect(document).toMatchObject({ issuer, token_endpoint: `${issuer}/token`, authorization_endpoint: `${issuer}/auth` });
  });

  it('answers the CORS preflight of the v2.0 path as it does the standard one (single-page MSAL)', async () => {
    const preflight = (path: string) => fetch(`${issuer}${path}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' },
    });
    const [plain, v2] = await Promise.all([preflight('/.well-known/openid-configuration'), preflight('/v2.0/.well-known/openid-configuration')]);
    expect(v2.status).toBe(plain.status);
    expect(v2.headers.get('access-control-allow-origin')).toBe(plain.headers.get('access-control-allow-origin'));
    expect(v2.headers.get('access-control-allow-origin')).not.toBeNull();
  });

  it('serves nothing else under /v2.0 (no Entra-only endpoints are invented)', async () => {
    const response = await fetch(`${issuer}/v2.0/oauth2/v2.0/token`, { method: 'POST', body: form({ grant_type: 'client_credentials' }) });
    await response.body?.cancel();
    expect(response.status).toBe(404);
  });
});

describe('client credentials with MSAL extras', () => {
  it('accepts client_info, x-client-* form fields and headers and the CP1 claims request; no client_info without an ID token', async () => {
    const { status, body } = await tokenRequest(
      { grant_type: 'client_credentials', scope: `${WEATHER_API}/.default`, client_info: '1', claims: CP1_CLAIMS, ...MSAL_TELEMETRY },
      { authorization: basicAuth(DAEMON.clientId, DAEMON.secret), ...MSAL_TELEMETRY, 'client-request-id': crypto.randomUUID() },
    );
    expect(status, JSON.stringify(body)).toBe(200);
    const { payload } = await jwtVerify(body.access_token as string, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    expect(payload).toMatchObject({ roles: ['app.weather'], tid: TENANT, azp: DAEMON.clientId });
    // The claims request is tolerated, not honoured: no xms_cc claim appears.
    expect(payload).not.toHaveProperty('xms_cc');
    expect(body).not.toHaveProperty('client_info');
  });

  it('accepts a certificate assertion whose x5t is padded the way MSAL Python 1.21 pads it', async () => {
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', x5t: `${certificate.x5t}=` })
      .setIssuer(DAEMON.clientId).setSubject(DAEMON.clientId).setAudience(`${issuer}/token`)
      .setIssuedAt().setExpirationTime('2m')
      .sign(certificate.privateKey);
    const { status, body } = await tokenRequest({
      grant_type: 'client_credentials', scope: `${WEATHER_API}/.default`, client_info: '1',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
    });
    expect(status, JSON.stringify(body)).toBe(200);
    const { payload } = await jwtVerify(body.access_token as string, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    expect(payload).toMatchObject({ azp: DAEMON.clientId, roles: ['app.weather'] });
  });

  it('still refuses a wrong secret with invalid_client when MSAL extras are present', async () => {
    const { status, body } = await tokenRequest(
      { grant_type: 'client_credentials', scope: `${WEATHER_API}/.default`, client_info: '1', ...MSAL_TELEMETRY },
      { authorization: basicAuth(DAEMON.clientId, 'not-the-secret') },
    );
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });
});

describe('sign-in with MSAL extras and client_info', () => {
  const browser = createHttpClient();
  let refreshToken: string | undefined;
  let oid: string;

  /** One authorization through the pages with MSAL's query parameters; returns the code and verifier. */
  async function authorize(scope: string) {
    const pkce = await createPkce();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(web, {
      redirect_uri: WEB.redirectUri, scope, nonce, state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
      client_info: '1', claims: CP1_CLAIMS, 'client-request-id': crypto.randomUUID(), ...MSAL_TELEMETRY,
    });
    const walk = await authorizeThroughPages(browser, url, { redirectUri: WEB.redirectUri });
    expect(walk.callback.searchParams.get('error'), walk.callback.href).toBeNull();
    expect(walk.callback.searchParams.get('state')).toBe(state);
    return { code: walk.callback.searchParams.get('code')!, verifier: pkce.verifier, nonce };
  }

  async function redeem(code: string, verifier: string, extra: Record<string, string> = {}) {
    return tokenRequest(
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: WEB.redirectUri, ...extra },
      { authorization: basicAuth(WEB.clientId, WEB.secret), ...MSAL_TELEMETRY },
    );
  }

  it('signs in with client_info, x-client-* and claims in the query, and returns client_info {uid: oid, utid: tid}', async () => {
    const { code, verifier, nonce } = await authorize(`openid profile offline_access ${WEATHER_API}/weather.read`);
    const { status, body } = await redeem(code, verifier, { client_info: '1', claims: CP1_CLAIMS, ...MSAL_TELEMETRY });
    expect(status, JSON.stringify(body)).toBe(200);
    expect(jwtClaims(body.id_token as string)).toMatchObject({ nonce, aud: WEB.clientId });
    const { payload } = await jwtVerify(body.access_token as string, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    oid = payload.oid as string;
    expect(oid).toEqual(expect.any(String));
    expect(decodeClientInfo(body.client_info)).toEqual({ uid: oid, utid: payload.tid });
    expect(payload.tid).toBe(TENANT);
    // As in Entra ID's ID tokens: the tenant always, the user's stable id with `profile`.
    expect(jwtClaims(body.id_token as string)).toMatchObject({ tid: TENANT, oid });
    // The token request named no scope: the response uses the API's own names.
    expect(String(body.scope).split(' ')).toContain('weather.read');
    refreshToken = body.refresh_token as string | undefined;
  });

  it('returns client_info on refresh too, with the same uid, when MSAL asks', async () => {
    expect(refreshToken, 'the first test should have received a refresh token').toEqual(expect.any(String));
    const { status, body } = await tokenRequest(
      { grant_type: 'refresh_token', refresh_token: refreshToken, client_info: '1', scope: `openid profile offline_access ${WEATHER_API}/weather.read` },
      { authorization: basicAuth(WEB.clientId, WEB.secret) },
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.id_token).toEqual(expect.any(String));
    expect(decodeClientInfo(body.client_info)).toEqual({ uid: oid, utid: TENANT });
    // Named as the request named it, so MSAL finds the token in its cache under the scopes it asks for.
    expect(String(body.scope).split(' ')).toContain(`${WEATHER_API}/weather.read`);
    expect(String(body.scope).split(' ')).not.toContain('weather.read');
    refreshToken = body.refresh_token as string | undefined;
  });

  it('names the scopes by the API\'s own names when the refresh asks with resource and short names', async () => {
    expect(refreshToken, 'the earlier tests should have left a refresh token').toEqual(expect.any(String));
    const { status, body } = await tokenRequest(
      { grant_type: 'refresh_token', refresh_token: refreshToken, resource: WEATHER_API, scope: 'openid weather.read' },
      { authorization: basicAuth(WEB.clientId, WEB.secret) },
    );
    expect(status, JSON.stringify(body)).toBe(200);
    expect(String(body.scope).split(' ')).toContain('weather.read');
    expect(String(body.scope)).not.toContain(WEATHER_API);
    const { payload } = await jwtVerify(body.access_token as string, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    expect(String(payload.scope).split(' ')).toContain('weather.read');
  });

  it('adds no client_info when the token request does not ask for it', async () => {
    const { code, verifier } = await authorize(`openid ${WEATHER_API}/weather.read`);
    const { status, body } = await redeem(code, verifier);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.id_token).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('client_info');
    const idToken = jwtClaims(body.id_token as string);
    expect(idToken.tid).toBe(TENANT);
    expect(idToken, 'oid only with the profile scope').not.toHaveProperty('oid');
  });
});
