import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE, authorizeThroughPages, createPkce, createTestCertificate, DAEMON, discoverClient, jwtClaims, protocolConfig,
  REPORTS_API, TENANT, WEATHER_API, type TestCertificate,
} from '../../server/test/support/fixtures.js';
import { createHttpClient, startTestServer, type HttpClient, type TestServer } from '../../server/test/support/index.js';
import {
  createClientApplication, createMemoryCache, InteractionRequiredError, OAuthError, type Account, type ClientApplicationOptions, type TokenCache,
} from '../src/index.js';
import { approveDeviceOnPhone } from '../../server/test/support/device-phone.js';

/**
 * @tessera/client against a real Tessera server: client credentials with a secret and with
 * certificates, the cache (a second call makes no request), refresh when less than five minutes
 * remain on an injected clock, refresh-token rotation and eviction, the loopback sign-in driven
 * through the real pages, the device code approved on a "phone", and on-behalf-of.
 */

const CLI = { clientId: 'weather-cli', redirectUri: 'http://127.0.0.1/callback' } as const;
const MIDDLE = { clientId: 'weather', secret: 'weather-mid-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5001/signin-oidc' } as const;
const READ = `${WEATHER_API}/weather.read`;

let server: TestServer;
let authority: string;
let rsa: TestCertificate;
let ec: TestCertificate;

beforeAll(async () => {
  [rsa, ec] = await Promise.all([createTestCertificate('RS256'), createTestCertificate('ES256')]);
  server = await startTestServer({
    config: protocolConfig({
      daemonCertificates: [rsa.pem, ec.pem],
      extraApplications: [
        { clientId: CLI.clientId, name: 'Weather CLI', type: 'native', redirectUris: [CLI.redirectUri], permissions: [{ api: WEATHER_API, scopes: ['weather.read'] }] },
        {
          clientId: MIDDLE.clientId, name: 'Weather API (middle tier)', type: 'web', redirectUris: [MIDDLE.redirectUri],
          secrets: [{ value: MIDDLE.secret }], permissions: [{ api: REPORTS_API, scopes: ['reports.read'] }],
        },
      ],
    }),
  });
  authority = server.issuer(TENANT);
});
afterAll(() => server?.dispose());

/** A fetch that records each request's grant type (or path), to count what reached the server. */
function countingFetch() {
  const requests: string[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const body = init?.body instanceof URLSearchParams ? init.body : undefined;
    requests.push(body?.get('grant_type') ?? new URL(String(input)).pathname.split('/').pop()!);
    return fetch(input, init);
  };
  return { requests, fetch: fetchImpl, tokenRequests: () => requests.filter((r) => r.includes('_') || r.includes(':')) };
}

function app(options: Partial<ClientApplicationOptions> & Pick<ClientApplicationOptions, 'clientId'>) {
  return createClientApplication({ authority, ...options });
}

/** The browser: signs Alice in on the real pages, then delivers the response to the loopback server. */
function browser(http: HttpClient, seen: { pages?: string[]; html?: string } = {}) {
  return async (url: string) => {
    const redirectUri = new URL(url).searchParams.get('redirect_uri')!;
    const walk = await authorizeThroughPages(http, url, { redirectUri });
    seen.pages = walk.pages;
    seen.html = await (await fetch(walk.callback)).text();
  };
}

describe('client credentials', () => {
  it('gets an app-role token with the daemon secret, and the second call comes from the cache', async () => {
    const counter = countingFetch();
    const daemon = app({ clientId: DAEMON.clientId, credential: { clientSecret: DAEMON.secret }, fetch: counter.fetch });
    const first = await daemon.acquireTokenForClient({ scopes: [`${WEATHER_API}/.default`] });
    expect(first.fromCache).toBe(false);
    expect(jwtClaims(first.accessToken)).toMatchObject({ aud: WEATHER_API, sub: DAEMON.clientId, roles: ['app.weather'] });
    const second = await daemon.acquireTokenForClient({ scopes: [`${WEATHER_API}/.default`] });
    expect(second).toMatchObject({ fromCache: true, accessToken: first.accessToken });
    expect(counter.tokenRequests()).toEqual(['client_credentials']);
    expect(counter.requests.filter((r) => r === 'openid-configuration')).toHaveLength(1);
  });

  it('asks again when less than five minutes remain on the injected clock', async () => {
    let now = Date.now();
    const counter = countingFetch();
    const daemon = app({ clientId: DAEMON.clientId, credential: { clientSecret: DAEMON.secret, method: 'client_secret_post' }, fetch: counter.fetch, clock: () => now });
    const first = await daemon.acquireTokenForClient({ scopes: [`${WEATHER_API}/.default`] });
    now = first.expiresOn.getTime() - 5 * 60_000 - 1000;
    expect((await daemon.acquireTokenForClient({ scopes: [`${WEATHER_API}/.default`] })).fromCache).toBe(true);
    now += 2000;
    const renewed = await daemon.acquireTokenForClient({ scopes: [`${WEATHER_API}/.default`] });
    expect(renewed.fromCache).toBe(false);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(counter.tokenRequests()).toEqual(['client_credentials', 'client_credentials']);
  });

  it.each([['RSA', () => rsa], ['EC', () => ec]])('authenticates with the %s certificate (private_key_jwt named by x5t#S256)', async (_name, cert) => {
    const { privateKey, pem } = cert();
    const daemon = app({ clientId: DAEMON.clientId, credential: { certificate: { privateKey, certificatePem: pem } } });
    const result = await daemon.acquireTokenForClient({ scopes: [`${REPORTS_API}/.default`] });
    expect(jwtClaims(result.accessToken)).toMatchObject({ aud: REPORTS_API, sub: DAEMON.clientId, roles: ['app.reports'] });
  });

  it('throws typed OAuth errors: a wrong secret is invalid_client, an API without a grant invalid_target or invalid_scope', async () => {
    const wrong = app({ clientId: DAEMON.clientId, credential: { clientSecret: 'not-the-secret' } });
    await expect(wrong.acquireTokenForClient({ scopes: [`${WEATHER_API}/.default`] })).rejects.toMatchObject({
      name: 'OAuthError', error: 'invalid_client', code: 'ERR_OAUTH_INVALID_CLIENT', status: 401,
    });
    const daemon = app({ clientId: DAEMON.clientId, credential: { clientSecret: DAEMON.secret } });
    const refused = await daemon.acquireTokenForClient({ scopes: ['api://nowhere/.default'] }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OAuthError);
    expect((refused as OAuthError).status).toBe(400);
  });
});

describe('user sign-in', () => {
  const http = createHttpClient();
  const cache: TokenCache = createMemoryCache();
  let now = Date.now();
  const counter = countingFetch();
  const cli = () => app({ clientId: CLI.clientId, cache, clock: () => now, fetch: counter.fetch });
  let account: Account;

  it('signs in through the browser on a loopback redirect (PKCE, state, nonce) and returns the account', async () => {
    const seen: { pages?: string[]; html?: string } = {};
    const result = await cli().acquireTokenInteractive({ scopes: [READ], openBrowser: browser(http, seen) });
    expect(seen.pages).toEqual(['login', 'consent']);
    expect(seen.html).toContain('You can close this window');
    expect(jwtClaims(result.accessToken)).toMatchObject({ aud: WEATHER_API, scope: 'weather.read', client_id: CLI.clientId });
    expect(result.account).toMatchObject({ issuer: authority, username: ALICE.username, homeAccountId: `${authority}#${result.idTokenClaims?.sub}` });
    expect(result.idTokenClaims).toMatchObject({ aud: CLI.clientId, nonce: expect.any(String) });
    account = result.account!;
  });

  it('acquireTokenSilent answers from the cache without a request', async () => {
    const before = counter.tokenRequests().length;
    const result = await cli().acquireTokenSilent({ account, scopes: [READ] });
    expect(result.fromCache).toBe(true);
    expect(counter.tokenRequests()).toHaveLength(before);
  });

  it('refreshes when less than five minutes remain, rotating the refresh token (one refresh for concurrent calls)', async () => {
    const key = `refresh_token|${authority}|${CLI.clientId}|${account.homeAccountId}`;
    const old = await cache.get(key);
    expect(old?.kind).toBe('refresh_token');
    const cached = await cli().acquireTokenSilent({ account, scopes: [READ] });
    now = cached.expiresOn.getTime() - 4 * 60_000;
    const application = cli();
    const [a, b] = await Promise.all([application.acquireTokenSilent({ account, scopes: [READ] }), application.acquireTokenSilent({ account, scopes: [READ] })]);
    expect(a).toMatchObject({ fromCache: false });
    expect(b.accessToken).toBe(a.accessToken);
    expect(a.accessToken).not.toBe(cached.accessToken);
    expect(counter.tokenRequests().filter((r) => r === 'refresh_token')).toHaveLength(1);
    const rotated = await cache.get(key);
    expect(rotated).toMatchObject({ kind: 'refresh_token', account });
    expect(rotated).not.toEqual(old);
  });

  it('evicts a refused refresh token and throws InteractionRequiredError', async () => {
    const key = `refresh_token|${authority}|${CLI.clientId}|${account.homeAccountId}`;
    await cache.set(key, { kind: 'refresh_token', refreshToken: 'revoked-or-garbage', account });
    const error = await cli().acquireTokenSilent({ account, scopes: [READ], forceRefresh: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InteractionRequiredError);
    expect(error).toMatchObject({ error: 'invalid_grant', code: 'ERR_INTERACTION_REQUIRED' });
    expect(await cache.get(key)).toBeUndefined();
    await expect(cli().acquireTokenSilent({ account, scopes: [READ], forceRefresh: true })).rejects.toMatchObject({ error: 'no_tokens_found' });
  });

  it('signs in with a device code approved on another device', async () => {
    const phone = createHttpClient();
    let shown: { userCode: string; message: string } | undefined;
    const slept: number[] = [];
    const device = app({ clientId: CLI.clientId, sleep: async (ms) => { slept.push(ms); } });
    const result = await device.acquireTokenByDeviceCode({
      scopes: [READ],
      onCode: async (info) => {
        shown = info;
        expect(info.message).toContain(info.userCode);
        await approveDeviceOnPhone(phone, info.verificationUri, info.userCode);
      },
    });
    expect(shown?.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(slept).toEqual([5000]);
    expect(jwtClaims(result.accessToken)).toMatchObject({ aud: WEATHER_API, scope: 'weather.read' });
    expect(result.account?.username).toBe(ALICE.username);
  });
});

describe('on-behalf-of', () => {
  let userToken: string;

  beforeAll(async () => {
    const http = createHttpClient();
    userToken = (await app({ clientId: CLI.clientId }).acquireTokenInteractive({ scopes: [READ], openBrowser: browser(http) })).accessToken;
    // Alice consents to the middle tier for the Reports API first (docs/token-exchange.md).
    const config = await discoverClient(server, MIDDLE.clientId, oidc.ClientSecretBasic(MIDDLE.secret));
    const pkce = await createPkce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: MIDDLE.redirectUri, scope: `openid ${REPORTS_API}/reports.read`, state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    await authorizeThroughPages(http, url, { redirectUri: MIDDLE.redirectUri });
  });

  it.each([['token-exchange'], ['jwt-bearer']] as const)('exchanges a user token for api://weather for one to api://reports (%s)', async (grant) => {
    const middle = app({ clientId: MIDDLE.clientId, credential: { clientSecret: MIDDLE.secret } });
    const result = await middle.acquireTokenOnBehalfOf({ userAssertion: userToken, scopes: [`${REPORTS_API}/.default`], grant });
    expect(jwtClaims(result.accessToken)).toMatchObject({
      aud: REPORTS_API, scope: 'reports.read', oid: jwtClaims(userToken).oid, act: { sub: MIDDLE.clientId },
    });
    expect((await middle.acquireTokenOnBehalfOf({ userAssertion: userToken, scopes: [`${REPORTS_API}/.default`], grant })).fromCache).toBe(true);
  });

  it('refuses a token that is not a user token for the caller’s API (invalid_grant)', async () => {
    const middle = app({ clientId: MIDDLE.clientId, credential: { clientSecret: MIDDLE.secret } });
    await expect(middle.acquireTokenOnBehalfOf({ userAssertion: 'garbage', scopes: [`${REPORTS_API}/.default`] }))
      .rejects.toMatchObject({ error: 'invalid_grant', code: 'ERR_OAUTH_INVALID_GRANT' });
  });
});
