import { setTimeout as sleep } from 'node:timers/promises';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeThroughPages, createPkce, discoverClient, protocolConfig, readDatabase, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { createHttpClient, startTestServer, type TestServer } from '../support/index.js';

/**
 * Refresh tokens (RFC 6749 §6): issued for offline_access once the user consented to it (with or
 * without prompt=consent; OIDC Core §11 allows other conditions than the prompt),
 * rotated on every use, and reuse detection (OAuth 2.0 Security BCP §4.14.2): a rotated token
 * presented again after the 10-second grace window revokes the whole grant.
 */

/** REFRESH_TOKEN_REUSE_GRACE_SECONDS in src/provider/create-provider.ts. */
const GRACE_MS = 10_000;
const SCOPE = `openid offline_access ${WEATHER_API}/weather.read`;

let server: TestServer;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let web: oidc.Configuration;
const http = createHttpClient();

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
  issuer = server.issuer(TENANT);
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
});
afterAll(() => server?.dispose());

async function authorize(extra: Record<string, string>) {
  const pkce = await createPkce();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(web, {
    redirect_uri: WEB.redirectUri, scope: SCOPE, state, nonce, code_challenge: pkce.challenge, code_challenge_method: 'S256', ...extra,
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: WEB.redirectUri });
  const tokens = await oidc.authorizationCodeGrant(web, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state, expectedNonce: nonce });
  return Object.assign(tokens, { pages: walk.pages });
}

async function refresh(token: string) {
  return oidc.refreshTokenGrant(web, token);
}

async function expectWeatherToken(accessToken: string) {
  const { payload } = await jwtVerify(accessToken, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
  expect(payload).toMatchObject({ scope: 'weather.read', client_id: WEB.clientId, tid: TENANT, oid: expect.any(String) });
  return payload;
}

/** The chain of refresh tokens of one grant, oldest first, and when each one was used. */
const chain: { token: string; usedAt?: number }[] = [];
let grantOid: unknown;

describe('issuing', () => {
  it('issues no refresh token when offline_access is not asked for', async () => {
    const tokens = await authorize({ scope: `openid ${WEATHER_API}/weather.read` });
    expect(tokens.refresh_token).toBeUndefined();
    await expectWeatherToken(tokens.access_token);
  });

  it('issues one for offline_access without prompt=consent, after the consent page asked for it', async () => {
    const tokens = await authorize({});
    // Signed in already; consent is asked again because offline access is new.
    expect(tokens.pages).toEqual(['consent']);
    expect(tokens.refresh_token).toEqual(expect.any(String));
    // Granted once, it is not asked again.
    const again = await authorize({});
    expect(again.pages).toEqual([]);
    expect(again.refresh_token).toEqual(expect.any(String));
  });

  it('issues one for offline_access with prompt=consent', async () => {
    const tokens = await authorize({ prompt: 'consent' });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    // The response's scope is the access token's: the API's scopes (RFC 8707 §2.2).
    expect(tokens.scope).toBe('weather.read');
    grantOid = (await expectWeatherToken(tokens.access_token)).oid;
    chain.push({ token: tokens.refresh_token! });
  });
});

describe('rotation', () => {
  it('returns a new refresh token, and a new access token for the API, on every use', async () => {
    for (let i = 0; i < 2; i++) {
      const current = chain.at(-1)!;
      const tokens = await refresh(current.token);
      current.usedAt = Date.now();
      expect(tokens.refresh_token).toEqual(expect.any(String));
      expect(chain.map((link) => link.token)).not.toContain(tokens.refresh_token);
      const payload = await expectWeatherToken(tokens.access_token);
      expect(payload.oid).toBe(grantOid);
      chain.push({ token: tokens.refresh_token! });
    }
    expect(new Set(chain.map((link) => link.token)).size).toBe(3);
  });

  it('tolerates a double submit of the same token within the grace window', async () => {
    const current = chain.at(-1)!;
    const [a, b] = await Promise.all([refresh(current.token), refresh(current.token)]);
    current.usedAt = Date.now();
    await expectWeatherToken(a.access_token);
    await expectWeatherToken(b.access_token);
    // Presented again a moment later (a retry): still tolerated.
    const retry = await refresh(current.token);
    expect(retry.refresh_token).toEqual(expect.any(String));
    chain.push({ token: retry.refresh_token! });
  });
});

describe('reuse detection', () => {
  it('after the grace window, a rotated token is refused and the whole grant is revoked', { timeout: 40_000 }, async () => {
    const rotated = chain[1]!;
    const newest = chain.at(-1)!;
    // The newest token works before the reuse.
    const beforeReuse = await refresh(newest.token);
    newest.usedAt = Date.now();
    chain.push({ token: beforeReuse.refresh_token! });

    // The one real wait of this suite: the grace window is what is under test.
    await sleep(Math.max(0, rotated.usedAt! + GRACE_MS + 1_000 - Date.now()));

    await expect(refresh(rotated.token)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    // The reuse revoked the grant: the token issued after it, never used, fails too.
    await expect(refresh(chain.at(-1)!.token)).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
    await expect(refresh(chain[0]!.token)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('writes a refresh_token.reuse_detected audit event', async () => {
    const { events, user } = await readDatabase(server, async (db) => ({
      events: await db.selectFrom('audit_events').selectAll().where('type', '=', 'refresh_token.reuse_detected').execute(),
      user: await db.selectFrom('users').select('id').where('username', '=', 'alice').executeTakeFirstOrThrow(),
    }), { restart: false });
    expect(events.length).toBeGreaterThanOrEqual(1);
    expect(events[0]).toMatchObject({
      outcome: 'failure', client_id: WEB.clientId, subject: user.id,
      data: expect.objectContaining({ action: 'grant revoked', grantId: expect.any(String) }),
    });
    expect(user.id).toBe(grantOid);
  });
});
