import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/index.js';
import { createPkce, protocolConfig, TENANT, WEB } from '../support/fixtures.js';

/**
 * Behind a TLS-terminating reverse proxy, Tessera is reached on a loopback port but must
 * speak only of its public URL — whatever Host or X-Forwarded-* headers a client sends.
 */
const PUBLIC_URL = 'https://id.example.test/identity';
const ISSUER = `${PUBLIC_URL}/${TENANT}`;
const SPOOF = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', forwarded: 'host=evil.example;proto=http' };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig(), env: { TESSERA_PUBLIC_URL: PUBLIC_URL, TESSERA_TRUST_PROXY: '1' } });
});
afterAll(() => server?.dispose());

describe('public URL behind a reverse proxy', () => {
  it('builds every discovery URL from TESSERA_PUBLIC_URL, not from the request headers', async () => {
    const res = await fetch(`${server.url}/${TENANT}/.well-known/openid-configuration`, { headers: SPOOF });
    expect(res.status).toBe(200);
    const discovery = await res.json() as Record<string, unknown>;
    expect(discovery.issuer).toBe(ISSUER);
    const urls = Object.entries(discovery).filter(([key, value]) => key.endsWith('_endpoint') || key === 'jwks_uri');
    expect(urls.length).toBeGreaterThan(4);
    for (const [key, value] of urls) expect(value, key).toMatch(new RegExp(`^${ISSUER.replace(/[.]/g, '\\.')}/`));
    expect(JSON.stringify(discovery)).not.toContain('evil.example');
  });

  it('redirects under the public path and sets Secure cookies', async () => {
    const pkce = await createPkce();
    const url = new URL(`${server.url}/${TENANT}/auth`);
    url.search = new URLSearchParams({
      client_id: WEB.clientId, response_type: 'code', redirect_uri: WEB.redirectUri, scope: 'openid',
      code_challenge: pkce.challenge, code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { headers: SPOOF, redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!, ISSUER);
    expect(location.origin).toBe('https://id.example.test');
    expect(location.pathname).toMatch(/^\/identity\/demo\/interaction\/[\w-]+$/);
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie.toLowerCase()).toContain('; secure');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');

    // The proxy strips /identity; the page it serves points back under it.
    const interaction = location.pathname.replace(/^\/identity/, '');
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    const signIn = await fetch(`${server.url}${interaction}`, { headers: { cookie }, redirect: 'manual' });
    expect(signIn.status).toBe(303);
    const flowPage = new URL(signIn.headers.get('location')!, ISSUER);
    expect(flowPage.origin).toBe('https://id.example.test');
    expect(flowPage.pathname).toBe('/identity/demo/account/login');
    const page = await fetch(`${server.url}${flowPage.pathname.replace(/^\/identity/, '')}${flowPage.search}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain(`action="/identity/demo/account/login${flowPage.search}"`);
    expect(html).toContain('href="/identity/assets/tessera.css"');
  });
});
