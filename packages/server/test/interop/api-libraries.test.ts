import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { auth, claimIncludes, requiredScopes } from 'express-oauth2-jwt-bearer';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ALICE, authorizeThroughPages, createPkce, DAEMON, discoverClient, protocolConfig, REPORTS_API, REPORTS_DAEMON,
  REPORTS_TOKEN_LIFETIME, TENANT, WEATHER_API, WEB,
} from '../support/fixtures.js';
import { basicAuth, createHttpClient, form, startTestServer, type TestServer } from '../support/index.js';

/**
 * The API half of "any conforming client works unchanged" (docs/interop.md): an Express API
 * protected by Auth0's express-oauth2-jwt-bearer in its strict RFC 9068 mode, configured with
 * nothing but the issuer and the audience, and the jwks-rsa + jsonwebtoken pair most Node APIs
 * written before jose still use. Tokens come from the real server: client credentials for the
 * daemons (ES256 for the weather API, RS256 for the reports API) and authorization code with
 * PKCE through the real pages for a user.
 */

let server: TestServer;
let issuer: string;
let api: Server;
let apiUrl: string;

/** The weather API (ES256 tokens) and the reports API (RS256) as their own developers would write them. */
function createApi(): express.Express {
  const app = express();
  const weather = auth({ issuerBaseURL: issuer, audience: WEATHER_API, strict: true });
  const reports = auth({ issuerBaseURL: issuer, audience: REPORTS_API, strict: true });
  const claims = (req: Request, res: Response) => { res.json(req.auth?.payload); };
  app.get('/weather/observations', weather, claimIncludes('roles', 'app.weather'), claims);
  app.get('/weather/forecast', weather, requiredScopes('weather.read'), claims);
  app.post('/weather/forecast', weather, requiredScopes('weather.write'), claims);
  app.get('/reports', reports, claims);
  // The library's errors carry their status and WWW-Authenticate header (RFC 6750 §3).
  const onError: ErrorRequestHandler = (error: { status?: number; headers?: Record<string, string>; code?: string }, _req, res, _next) => {
    res.status(error.status ?? 500).set(error.headers ?? {}).json({ error: error.code });
  };
  app.use(onError);
  return app;
}

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  issuer = server.issuer(TENANT);
  api = createApi().listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => api.once('listening', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await server?.dispose();
});
afterEach(() => { vi.useRealTimers(); });

async function daemonToken(client: { clientId: string; secret: string }, scope: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(client.clientId, client.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', scope }),
  });
  const body = await response.json() as { access_token?: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.access_token!;
}

/** Alice signs in to the web app and consents; its access token for the weather API. */
async function userToken(scope: string): Promise<string> {
  const web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope, state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(createHttpClient(), url, { redirectUri: WEB.redirectUri, login: ALICE.username, password: ALICE.password });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  return tokens.access_token;
}

async function callApi(path: string, token: string | undefined, method = 'GET') {
  const response = await fetch(`${apiUrl}${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.json() as Record<string, unknown> };
}

/** The same token with its signature's first byte changed. */
function tampered(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = bytes[0]! ^ 0xff;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

describe('express-oauth2-jwt-bearer (strict RFC 9068 profile, issuer and audience only)', () => {
  it('accepts a daemon\'s ES256 token and its app role', async () => {
    const token = await daemonToken(DAEMON, `${WEATHER_API}/.default`);
    const result = await callApi('/weather/observations', token);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ iss: issuer, aud: WEATHER_API, client_id: DAEMON.clientId, roles: ['app.weather'] });
  });

  it('accepts an RS256 token at the API that asked for RS256', async () => {
    const token = await daemonToken(REPORTS_DAEMON, `${REPORTS_API}/.default`);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const result = await callApi('/reports', token);
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ aud: REPORTS_API, client_id: REPORTS_DAEMON.clientId, roles: ['app.reports'] });
  });

  it('accepts a user\'s delegated scope in the API\'s own name, and refuses a scope the user was not granted with insufficient_scope', async () => {
    const token = await userToken(`openid ${WEATHER_API}/weather.read`);
    const read = await callApi('/weather/forecast', token);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ aud: WEATHER_API, scope: 'weather.read', client_id: WEB.clientId });
    expect(read.body.sub).toEqual(expect.any(String));
    expect(read.body.oid).toEqual(expect.any(String));

    const write = await callApi('/weather/forecast', token, 'POST');
    expect(write.status).toBe(403);
    expect(write.challenge).toMatch(/error="insufficient_scope"/);

    // Alice's token has her own roles, not the daemons' app role.
    const daemonsOnly = await callApi('/weather/observations', token);
    expect(daemonsOnly.status).toBe(401);
    expect(daemonsOnly.challenge).toMatch(/error="invalid_token"/);
  });

  it('refuses a token for another API, a changed signature and no token, each with a Bearer challenge', async () => {
    const reportsToken = await daemonToken(REPORTS_DAEMON, `${REPORTS_API}/.default`);
    const otherAudience = await callApi('/weather/observations', reportsToken);
    expect(otherAudience.status).toBe(401);
    expect(otherAudience.challenge).toMatch(/^Bearer .*error="invalid_token"/);

    const badSignature = await callApi('/weather/observations', tampered(await daemonToken(DAEMON, `${WEATHER_API}/.default`)));
    expect(badSignature.status).toBe(401);
    expect(badSignature.challenge).toMatch(/error="invalid_token"/);

    const none = await callApi('/weather/observations', undefined);
    expect(none.status).toBe(401);
    expect(none.challenge).toMatch(/^Bearer/);
  });

  it('refuses a token once its lifetime has passed', async () => {
    const token = await daemonToken(REPORTS_DAEMON, `${REPORTS_API}/.default`);
    expect((await callApi('/reports', token)).status).toBe(200);
    // Only this process's clock moves: the API judges the token as it would 11 minutes later.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + (REPORTS_TOKEN_LIFETIME + 60) * 1000 });
    const expired = await callApi('/reports', token);
    expect(expired.status).toBe(401);
    expect(expired.challenge).toMatch(/error="invalid_token".*exp/);
  });
});

describe('jwks-rsa + jsonwebtoken', () => {
  const jwks = () => new JwksClient({ jwksUri: `${issuer}/jwks` });

  async function verify(client: JwksClient, token: string, audience: string) {
    const { header } = jwt.decode(token, { complete: true }) ?? {};
    const key = await client.getSigningKey(header?.kid);
    return jwt.verify(token, key.getPublicKey(), { algorithms: ['ES256', 'RS256'], issuer, audience }) as jwt.JwtPayload;
  }

  it('finds the signing key by kid and verifies ES256 and RS256 tokens', async () => {
    const client = jwks();
    const es256 = await daemonToken(DAEMON, `${WEATHER_API}/.default`);
    const rs256 = await daemonToken(REPORTS_DAEMON, `${REPORTS_API}/.default`);
    expect(await verify(client, es256, WEATHER_API)).toMatchObject({ aud: WEATHER_API, client_id: DAEMON.clientId, roles: ['app.weather'] });
    expect(await verify(client, rs256, REPORTS_API)).toMatchObject({ aud: REPORTS_API, client_id: REPORTS_DAEMON.clientId });
    const keys = await client.getSigningKeys();
    expect(keys.map((key) => key.alg).sort()).toEqual(expect.arrayContaining(['ES256', 'RS256']));
  });

  it('rejects the wrong audience, a changed signature and an unknown kid', async () => {
    const client = jwks();
    const token = await daemonToken(DAEMON, `${WEATHER_API}/.default`);
    await expect(verify(client, token, REPORTS_API)).rejects.toThrow(/audience invalid/);
    await expect(verify(client, tampered(token), WEATHER_API)).rejects.toThrow(/invalid signature/);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const unknownKid = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'not-a-key' })).toString('base64url');
    await expect(verify(client, `${unknownKid}.${payload}.${signature}`, WEATHER_API)).rejects.toMatchObject({ name: 'SigningKeyNotFoundError' });
  });
});
