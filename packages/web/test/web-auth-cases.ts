import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createWebAuth, type WebAuth } from '../src/index.js';
import { authorizeThroughPages, protocolConfig, TENANT, WEATHER_API, WEB } from '../../server/test/support/fixtures.js';
import { createHttpClient, findFreePort, form, startTestServer, type HttpClient, type TestServer } from '../../server/test/support/index.js';

/**
 * One suite for every framework adapter (STYLE.md §10): a real Tessera server, an app on
 * 127.0.0.1 registered as the weather-web application's redirect URI, and a cookie-keeping client
 * walking the pages like a browser. Every adapter's test app serves the same routes:
 * `GET /me` (requires a user; JSON `{ user }`), `GET /token?scope=…` (JSON `{ token }` from
 * getAccessToken), `GET /signed-out`, plus the library's /signin, /signin-oidc and /signout.
 */

export interface TestApp {
  url: string;
  close(): Promise<void>;
}

export type StartApp = (auth: WebAuth, port: number) => Promise<TestApp>;

const COOKIE = 'app_session';
const SECRET = 'test-cookie-secret-0123456789abcdefghijklmnop';
const READ = `${WEATHER_API}/weather.read`;
const WRITE = `${WEATHER_API}/weather.write`;

function configFor(appUrl: string): string {
  const config = parse(protocolConfig({ webRedirectUri: `${appUrl}/signin-oidc` })) as {
    tenants: { applications: { clientId: string; postLogoutRedirectUris?: string[] }[] }[];
  };
  config.tenants[0]!.applications.find((a) => a.clientId === WEB.clientId)!.postLogoutRedirectUris = [`${appUrl}/signed-out`];
  return stringify(config);
}

export function runWebAuthCases(adapter: string, startApp: StartApp): void {
  describe(`@tessera/web with ${adapter}`, () => {
    let server: TestServer;
    let app: TestApp;
    let appUrl: string;
    /** Time as the app sees it: advanced to make tokens near expiry, never slept. */
    let offset = 0;
    const http = createHttpClient();

    beforeAll(async () => {
      const port = await findFreePort();
      appUrl = `http://127.0.0.1:${port}`;
      server = await startTestServer({ config: configFor(appUrl) });
      const auth = createWebAuth({
        issuer: server.issuer(TENANT),
        clientId: WEB.clientId,
        clientSecret: WEB.secret,
        redirectUri: `${appUrl}/signin-oidc`,
        postLogoutRedirectUri: `${appUrl}/signed-out`,
        scopes: ['openid', 'profile', 'offline_access', READ],
        cookie: { secret: SECRET },
        clock: () => Date.now() + offset,
      });
      app = await startApp(auth, port);
    });
    afterAll(async () => {
      await app?.close();
      await server?.dispose();
    });

    /** /signin → Tessera's pages → /signin-oidc → the return path; the pages shown and the final response. */
    async function signIn(client: HttpClient, start: string) {
      const walk = await authorizeThroughPages(client, new URL(start, appUrl), { redirectUri: `${appUrl}/signin-oidc` });
      const done = await client.follow(walk.callback);
      return { ...walk, done };
    }

    async function verifyWeatherToken(token: string) {
      const jwks = createRemoteJWKSet(new URL(`${server.issuer(TENANT)}/jwks`));
      const { payload } = await jwtVerify(token, jwks, { issuer: server.issuer(TENANT), audience: WEATHER_API, typ: 'at+jwt' });
      return payload;
    }

    async function tokenFor(client: HttpClient, scope: string) {
      const res = await client.fetch(`${appUrl}/token?${new URLSearchParams({ scope })}`);
      return { res, body: res.status === 200 ? await res.json() as { token: string } : undefined };
    }

    it('sends a visitor without a session to sign in, and back to the page after the callback', async () => {
      const res = await http.fetch(`${appUrl}/me?x=1`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`/signin?returnTo=${encodeURIComponent('/me?x=1')}`);

      const { pages, done } = await signIn(http, res.headers.get('location')!);
      expect(pages).toEqual(['login', 'consent']);
      expect(done.url).toBe(`${appUrl}/me?x=1`);
      expect(done.response.status).toBe(200);
      const { user } = await done.response.json() as { user: Record<string, unknown> };
      expect(user).toMatchObject({ iss: server.issuer(TENANT), aud: WEB.clientId, name: 'Alice Example', sub: expect.any(String) });

      const cookie = http.jar.all().find((c) => c.name === COOKIE)!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });
      expect(http.jar.get(`${COOKIE}.tx`)).toBeUndefined();
    });

    it('getAccessToken returns the sign-in token for api://weather, then refreshes it near expiry', async () => {
      const first = await tokenFor(http, READ);
      expect(first.res.status).toBe(200);
      expect(await verifyWeatherToken(first.body!.token)).toMatchObject({ aud: WEATHER_API, scope: 'weather.read', azp: WEB.clientId });
      // Cached: the same token while it has more than five minutes left.
      expect((await tokenFor(http, READ)).body!.token).toBe(first.body!.token);

      offset = 2 * 60 * 60 * 1000; // Two hours on: the 60–90 minute token is due.
      const refreshed = await tokenFor(http, READ);
      offset = 0; // Back to the provider's time, which signs the next ID tokens.
      expect(refreshed.body!.token).not.toBe(first.body!.token);
      expect(await verifyWeatherToken(refreshed.body!.token)).toMatchObject({ aud: WEATHER_API, scope: 'weather.read' });
    });

    it('a scope never consented redirects to sign in for it (incremental consent), then works', async () => {
      const asked = await tokenFor(http, WRITE);
      expect(asked.res.status).toBe(302);
      const location = new URL(asked.res.headers.get('location')!, appUrl);
      expect(location.pathname).toBe('/signin');
      expect(location.searchParams.get('scopes')).toBe(WRITE);
      expect(location.searchParams.get('returnTo')).toBe(`/token?scope=${encodeURIComponent(WRITE)}`);

      const { pages, done } = await signIn(http, location.href);
      expect(pages).toEqual(['consent']); // Signed in at Tessera already: only the new scope is asked.
      expect(done.response.status).toBe(200);
      const { token } = await done.response.json() as { token: string };
      expect((await verifyWeatherToken(token)).scope).toContain('weather.write');

      // The new refresh token still covers weather.read.
      offset = 5 * 60 * 60 * 1000;
      const read = await tokenFor(http, READ);
      offset = 0;
      expect(read.res.status).toBe(200);
      expect((await verifyWeatherToken(read.body!.token)).scope).toContain('weather.read');
    });

    it('a large session (tokens for three scope sets) is split into chunked cookies that read back', async () => {
      const write = await tokenFor(http, WRITE);
      const both = await tokenFor(http, `${WRITE} ${READ}`);
      expect(write.res.status).toBe(200);
      expect((await verifyWeatherToken(both.body!.token)).scope).toBe('weather.read weather.write');
      const names = http.jar.all().map((c) => c.name).filter((name) => name.startsWith(COOKIE)).sort();
      expect(names).toEqual([`${COOKIE}.0`, `${COOKIE}.1`]);
      // Read back from the chunks: cached tokens, in any scope order.
      expect((await tokenFor(http, `${READ} ${WRITE}`)).body!.token).toBe(both.body!.token);
      expect((await tokenFor(http, WRITE)).body!.token).toBe(write.body!.token);
    });

    it('a tampered session cookie is treated as signed out', async () => {
      // A copy of the (chunked) session cookie with one character of its first chunk changed.
      const client = createHttpClient();
      for (const cookie of http.jar.all().filter((c) => c.name.startsWith(`${COOKIE}.`))) {
        const value = cookie.name === `${COOKIE}.0` ? `${cookie.value.slice(0, 60)}${cookie.value[60] === 'A' ? 'B' : 'A'}${cookie.value.slice(61)}` : cookie.value;
        client.jar.storeHeader(appUrl, `${cookie.name}=${value}; Path=/`);
      }
      expect(client.jar.get(`${COOKIE}.0`)).not.toBe(http.jar.get(`${COOKIE}.0`));
      const res = await client.fetch(`${appUrl}/me`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toMatch(/^\/signin\?/);
      // The untouched cookie still works.
      expect((await http.fetch(`${appUrl}/me`)).status).toBe(200);
    });

    it('refuses a callback with another state, or replayed, with 400 and no session', async () => {
      const client = createHttpClient();
      const start = await client.fetch(`${appUrl}/signin`);
      expect(start.status).toBe(302);
      expect(client.jar.get(`${COOKIE}.tx`)).toEqual(expect.any(String));
      const forged = await client.fetch(`${appUrl}/signin-oidc?code=forged&state=not-the-state&iss=${encodeURIComponent(server.issuer(TENANT))}`);
      expect(forged.status).toBe(400);
      expect(client.jar.get(COOKIE)).toBeUndefined();

      // A real callback, replayed: once without the (cleared) transaction, once with a copy of it.
      const victim = createHttpClient();
      const walk = await authorizeThroughPages(victim, `${appUrl}/signin`, { redirectUri: `${appUrl}/signin-oidc` });
      const tx = victim.jar.get(`${COOKIE}.tx`)!;
      expect((await victim.fetch(walk.callback)).status).toBe(302);
      const attacker = createHttpClient();
      expect((await attacker.fetch(walk.callback)).status).toBe(400);
      attacker.jar.storeHeader(appUrl, `${COOKIE}.tx=${tx}; Path=/`);
      expect((await attacker.fetch(walk.callback)).status).toBe(400);
      expect(attacker.jar.get(COOKIE)).toBeUndefined();
    });

    it('never redirects off-site after sign-in', async () => {
      const client = createHttpClient();
      const { done } = await signIn(client, `/signin?returnTo=${encodeURIComponent('//evil.example/x')}`);
      expect(done.hops[0]!.location).toBe('/');
    });

    it('sign-out needs a same-origin POST, ends the Tessera session, and the next sign-in asks for the password', async () => {
      expect((await http.fetch(`${appUrl}/signout`)).status).toBe(405);
      expect((await http.fetch(`${appUrl}/signout`, { method: 'POST', headers: { origin: 'http://evil.example' } })).status).toBe(403);
      expect((await http.fetch(`${appUrl}/me`)).status).toBe(200);

      const res = await http.fetch(`${appUrl}/signout`, { method: 'POST', headers: { origin: appUrl } });
      expect(res.status).toBe(303);
      const end = new URL(res.headers.get('location')!);
      expect(`${end.origin}${end.pathname}`).toBe(`${server.issuer(TENANT)}/session/end`);
      expect(end.searchParams.get('id_token_hint')).toEqual(expect.any(String));
      expect(http.jar.all().filter((c) => c.name.startsWith(COOKIE))).toEqual([]); // Every chunk cleared.

      const page = await http.fetch(end);
      const html = await page.text();
      const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
      expect(action && xsrf).toBeTruthy();
      const confirmed = await http.follow(new URL(action!, server.url), {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ xsrf: xsrf!, logout: 'yes' }),
      });
      expect(confirmed.url).toBe(`${appUrl}/signed-out`);
      expect((await http.fetch(`${appUrl}/me`)).status).toBe(302);

      const again = await signIn(http, '/signin');
      expect(again.pages).toContain('login');
    });
  });
}
