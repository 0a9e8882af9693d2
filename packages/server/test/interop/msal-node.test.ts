import { request as httpsRequest } from 'node:https';
import type { Server } from 'node:http';
import {
  ConfidentialClientApplication, CryptoProvider, LogLevel, ProtocolMode, ServerError,
  type Configuration, type INetworkModule, type NetworkRequestOptions, type NetworkResponse,
} from '@azure/msal-node';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, authorizeThroughPages, DAEMON, jwtClaims, protocolConfig, TENANT, WEATHER_API, WEB } from '../support/fixtures.js';
import { createHttpClient, findFreePort, startTestServer, type FollowResult, type HttpClient, type TestServer } from '../support/index.js';
import { close, createPemCertificate, createTlsProxy, listen, type PemCertificate } from '../support/tls.js';

/**
 * Microsoft's MSAL Node (`@azure/msal-node` 7) against a Tessera tenant in its OIDC protocol
 * mode, configured as docs/entra-compatibility.md says: `authority` the tenant's issuer,
 * `knownAuthorities` its host, `system.protocolMode: OIDC`. Client credentials with a secret and
 * with a certificate, authorization code with PKCE through the real pages and refreshes with
 * rotated refresh tokens. MSAL refuses http authorities, so the server runs behind a TLS proxy
 * (TESSERA_PUBLIC_URL its https URL), as in production; MSAL's network client is the one
 * test-only change: it trusts the proxy's self-signed certificate and records every request.
 */

// --- The clients that reach the server -----------------------------------------------------

interface SeenRequest {
  method: string;
  url: URL;
  body: URLSearchParams;
}

/**
 * MSAL's `system.networkClient` (INetworkModule) over node:https, trusting only `ca`, refusing
 * anything but 127.0.0.1, and recording each request. Like MSAL's own client, it parses JSON.
 */
function createNetworkClient(ca: string, seen: SeenRequest[]): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options: NetworkRequestOptions = {}) => new Promise<NetworkResponse<T>>((resolve, reject) => {
    const target = new URL(url);
    seen.push({ method, url: target, body: new URLSearchParams(options.body ?? '') });
    if (target.hostname !== '127.0.0.1') return reject(new Error(`MSAL tried to reach ${target.origin}`));
    const request = httpsRequest(target, { method, headers: options.headers, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = String(value);
        try {
          resolve({ status: response.statusCode ?? 0, headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T });
        } catch (error) {
          reject(new Error(`${method} ${url} answered ${response.statusCode} without JSON`, { cause: error }));
        }
      });
    });
    request.on('error', reject);
    request.end(method === 'POST' ? options.body ?? '' : undefined);
  });
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('GET', url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>('POST', url, options),
  };
}

/**
 * The test's browser: it requests Tessera's pages at their public https URLs straight from the
 * server over http (the server derives every URL it writes from TESSERA_PUBLIC_URL, whichever
 * way a request came in), so it needs no trust in the proxy's certificate.
 */
function createDirectBrowser(publicOrigin: string, directOrigin: () => string): HttpClient {
  const inner = createHttpClient();
  const toDirect = (url: string | URL) => {
    const parsed = new URL(url);
    return parsed.origin === publicOrigin ? new URL(`${directOrigin()}${parsed.pathname}${parsed.search}`) : parsed;
  };
  return {
    jar: inner.jar,
    fetch: (url, init) => inner.fetch(toDirect(url), init),
    async follow(url, init, options = {}) {
      const hops: FollowResult['hops'] = [];
      let target = new URL(url);
      let request = init;
      for (;;) {
        const step = await inner.follow(toDirect(target), request, {
          ...options, stopAt: (location) => location.origin === publicOrigin || Boolean(options.stopAt?.(location)),
        });
        hops.push(...step.hops);
        const next = step.location === undefined ? undefined : new URL(step.location);
        if (!next || next.origin !== publicOrigin || options.stopAt?.(next)) return { ...step, hops };
        if (hops.length > 20) throw new Error(`too many redirects: ${hops.map((hop) => hop.url).join(' -> ')}`);
        await step.response.body?.cancel();
        // A browser repeats the request only on 307/308; otherwise the next one is a plain GET.
        if (![307, 308].includes(step.response.status) || step.hops.length > 1) request = undefined;
        target = next;
      }
    },
  };
}

// --- The proof --------------------------------------------------------------------------------

describe('MSAL Node (@azure/msal-node) in OIDC protocol mode against a Tessera tenant', () => {
  let server: TestServer;
  let proxy: Server;
  let issuer: string;
  let host: string;
  let tlsCa: string;
  let clientCert: PemCertificate;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let browser: HttpClient;

  beforeAll(async () => {
    const [tls, client] = await Promise.all([createPemCertificate('127.0.0.1', { tlsServer: true }), createPemCertificate('weather-daemon-msal-node')]);
    tlsCa = tls.certificate;
    clientCert = client;
    const proxyPort = await findFreePort();
    host = `127.0.0.1:${proxyPort}`;
    server = await startTestServer({
      config: protocolConfig({ daemonCertificates: [client.certificate] }),
      env: { TESSERA_PUBLIC_URL: `https://${host}` },
    });
    proxy = createTlsProxy(tls, () => server.port);
    await listen(proxy, proxyPort);
    issuer = `https://${host}/${TENANT}`;
    // The verifier reads the keys straight from the server; the issuer it expects is the public one.
    jwks = createRemoteJWKSet(new URL(`${server.url}/${TENANT}/jwks`));
    browser = createDirectBrowser(`https://${host}`, () => server.url);
  });
  afterAll(async () => {
    await close(proxy);
    await server?.dispose();
  });

  /** A confidential client exactly as an Entra application would configure it, plus the test's network client. */
  function createApp(auth: Omit<Configuration['auth'], 'authority' | 'knownAuthorities'>, seen: SeenRequest[] = []) {
    return new ConfidentialClientApplication({
      auth: { ...auth, authority: issuer, knownAuthorities: [host] },
      system: {
        protocolMode: ProtocolMode.OIDC,
        networkClient: createNetworkClient(tlsCa, seen),
        // Silent: MSAL warns "No client info in response" on every client-credentials token, as documented.
        loggerOptions: { logLevel: LogLevel.Error, piiLoggingEnabled: false, loggerCallback: () => {} },
      },
    });
  }

  async function expectDaemonToken(token: string): Promise<void> {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({ iss: issuer, aud: WEATHER_API, sub: DAEMON.clientId, client_id: DAEMON.clientId, azp: DAEMON.clientId, tid: TENANT });
    expect(payload.roles).toContain('app.weather');
  }

  /** Only the tenant's discovery document and the endpoints it names; never Microsoft's instance discovery. */
  function expectOnlyTenantRequests(seen: SeenRequest[]): void {
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.map(({ url }) => url.origin)).toEqual(seen.map(() => `https://${host}`));
    expect(seen.filter(({ url }) => /\/oauth2\/|\/common\/|\/v2\.0\//.test(url.pathname))).toEqual([]);
  }

  describe('client credentials', () => {
    const scopes = [`${WEATHER_API}/.default`];

    it('acquires an at+jwt for api://weather with a client secret, then serves it from its cache', async () => {
      const seen: SeenRequest[] = [];
      const app = createApp({ clientId: DAEMON.clientId, clientSecret: DAEMON.secret }, seen);
      const first = await app.acquireTokenByClientCredential({ scopes });
      expect(first).toMatchObject({ tokenType: 'Bearer', fromCache: false });
      await expectDaemonToken(first!.accessToken);
      expect(first!.expiresOn!.getTime()).toBeGreaterThan(Date.now());

      const second = await app.acquireTokenByClientCredential({ scopes });
      expect(second).toMatchObject({ fromCache: true, accessToken: first!.accessToken });

      // OIDC mode reads the standard discovery path; one token request for both calls.
      expect(seen.map(({ method, url }) => `${method} ${url.pathname}`)).toEqual([
        `GET /${TENANT}/.well-known/openid-configuration`,
        `POST /${TENANT}/token`,
      ]);
      expect(seen[1]!.body.get('grant_type')).toBe('client_credentials');
      expectOnlyTenantRequests(seen);
    });

    it('acquires a token with a certificate named by its SHA-256 thumbprint (PS256 assertion, x5t#S256)', async () => {
      const seen: SeenRequest[] = [];
      const app = createApp({ clientId: DAEMON.clientId, clientCertificate: { thumbprintSha256: clientCert.sha256Hex, privateKey: clientCert.privateKey } }, seen);
      const result = await app.acquireTokenByClientCredential({ scopes });
      await expectDaemonToken(result!.accessToken);
      const token = seen.find(({ url }) => url.pathname.endsWith('/token'))!;
      expect(token.body.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(token.body.has('client_secret')).toBe(false);
      const header = JSON.parse(Buffer.from(token.body.get('client_assertion')!.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(header).toMatchObject({ alg: 'PS256', 'x5t#S256': Buffer.from(clientCert.sha256Hex, 'hex').toString('base64url') });
    });

    it('acquires a token with a certificate named by its SHA-1 thumbprint (RS256 assertion, x5t)', async () => {
      const seen: SeenRequest[] = [];
      const app = createApp({ clientId: DAEMON.clientId, clientCertificate: { thumbprint: clientCert.sha1Hex, privateKey: clientCert.privateKey } }, seen);
      const result = await app.acquireTokenByClientCredential({ scopes });
      await expectDaemonToken(result!.accessToken);
      const assertion = seen.find(({ url }) => url.pathname.endsWith('/token'))!.body.get('client_assertion')!;
      const header = JSON.parse(Buffer.from(assertion.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
      expect(header).toMatchObject({ alg: 'RS256', x5t: Buffer.from(clientCert.sha1Hex, 'hex').toString('base64url') });
    });

    it('rejects a wrong client secret with the protocol error invalid_client', async () => {
      const app = createApp({ clientId: DAEMON.clientId, clientSecret: 'not-the-secret' });
      const failure = await app.acquireTokenByClientCredential({ scopes }).then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(ServerError);
      expect(failure).toMatchObject({ errorCode: 'invalid_client', status: 401 });
    });
  });

  describe('authorization code with PKCE, then refresh', () => {
    const scopes = ['openid', 'profile', 'offline_access', `${WEATHER_API}/weather.read`];

    /** getAuthCodeUrl → the real sign-in and consent pages as alice → acquireTokenByCode, as a web app does it. */
    async function signIn() {
      const seen: SeenRequest[] = [];
      const app = createApp({ clientId: WEB.clientId, clientSecret: WEB.secret }, seen);
      const cryptoProvider = new CryptoProvider();
      const pkce = await cryptoProvider.generatePkceCodes();
      const state = cryptoProvider.createNewGuid();
      const nonce = cryptoProvider.createNewGuid();
      const authorizationUrl = await app.getAuthCodeUrl({
        scopes, redirectUri: WEB.redirectUri, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256', state, nonce,
      });
      expect(authorizationUrl.startsWith(`${issuer}/auth?`), authorizationUrl).toBe(true);
      const walk = await authorizeThroughPages(browser, authorizationUrl, { redirectUri: WEB.redirectUri });
      expect(walk.callback.searchParams.get('error'), walk.callback.href).toBeNull();
      const code = walk.callback.searchParams.get('code')!;
      const result = await app.acquireTokenByCode(
        { code, redirectUri: WEB.redirectUri, codeVerifier: pkce.verifier, scopes, state, nonce },
        { code, state: walk.callback.searchParams.get('state') ?? undefined },
      );
      return { app, seen, result, nonce, pages: walk.pages };
    }

    it('redeems the code: ID token claims for alice, account, and an access token for api://weather', async () => {
      const { seen, result, nonce, pages } = await signIn();
      expect(pages).toContain('login');
      expect(result.idTokenClaims).toMatchObject({ iss: issuer, aud: WEB.clientId, nonce, name: ALICE.name, preferred_username: ALICE.username });
      const sub = result.account?.idTokenClaims?.sub;
      expect(sub).toEqual(expect.any(String));
      const { payload } = await jwtVerify(result.accessToken, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
      expect(payload).toMatchObject({ azp: WEB.clientId, client_id: WEB.clientId, sub, tid: TENANT, roles: [...ALICE.weatherRoles] });
      expect(payload.oid).toEqual(expect.any(String));
      expect(String(payload.scope).split(' ')).toContain('weather.read');
      // MSAL 7 sends client_info=1 even in OIDC mode; Tessera's answer makes the home account id `oid.tid`.
      expect(seen.find(({ body }) => body.get('grant_type') === 'authorization_code')?.body.get('client_info')).toBe('1');
      expect(result.account).toMatchObject({
        homeAccountId: `${String(payload.oid)}.${TENANT}`, environment: host, username: ALICE.username, name: ALICE.name,
      });
      expectOnlyTenantRequests(seen);
    });

    it('refreshes twice with forceRefresh: new valid access tokens, each time with the rotated refresh token', async () => {
      const { app, seen, result } = await signIn();
      const sub = result.account?.idTokenClaims?.sub;
      expect(sub).toEqual(expect.any(String));
      const refreshed = await app.acquireTokenSilent({ account: result.account!, scopes, forceRefresh: true });
      const again = await app.acquireTokenSilent({ account: refreshed.account!, scopes, forceRefresh: true });
      expect(new Set([result.accessToken, refreshed.accessToken, again.accessToken]).size).toBe(3);
      for (const token of [refreshed, again]) {
        expect(token.fromCache).toBe(false);
        const { payload } = await jwtVerify(token.accessToken, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
        expect(payload).toMatchObject({ sub, azp: WEB.clientId });
        expect(jwtClaims(token.idToken)).toMatchObject({ sub, aud: WEB.clientId, iss: issuer });
      }
      // Tessera rotates refresh tokens: MSAL must have stored the new one and sent it the second time.
      const refreshes = seen.filter(({ body }) => body.get('grant_type') === 'refresh_token').map(({ body }) => body.get('refresh_token'));
      expect(refreshes).toHaveLength(2);
      expect(refreshes[0]).not.toBe(refreshes[1]);
      expect(again.account?.homeAccountId).toBe(result.account?.homeAccountId);
    });

    it('serves acquireTokenSilent for the scopes it was given from its cache', async () => {
      const { app, seen, result } = await signIn();
      const silent = await app.acquireTokenSilent({ account: result.account!, scopes });
      expect(silent).toMatchObject({ fromCache: true, accessToken: result.accessToken });
      expect(seen.filter(({ body }) => body.get('grant_type') === 'refresh_token')).toEqual([]);
    });

    it('names the tenant in account.tenantId (the ID token carries tid)', async () => {
      const { result } = await signIn();
      expect(result.account?.tenantId).toBe(TENANT);
      expect(result.tenantId).toBe(TENANT);
    });
  });
});
