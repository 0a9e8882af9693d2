import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../../server/test/support/index.js';
import { createWebAuth } from '../src/index.js';
import { expressInteractionHandler, expressWebAuth, requireUser } from '../src/express.js';

/**
 * Interop: the Express app against a bare oidc-provider as a generic OpenID provider (its
 * development login and consent pages, private_key_jwt, no Tessera conventions), to show the
 * library assumes nothing beyond the standards.
 */

const CLIENT_ID = 'generic-web';
let provider: Server;
let appServer: Server;
let issuer: string;
let appUrl: string;

/** Submits the only form of a page with its hidden fields (and `fields`), following redirects until `stopAt`. */
async function submitForm(http: HttpClient, page: { url: string; html: string }, fields: Record<string, string>, stopAt: (u: URL) => boolean) {
  const action = /<form[^>]*action="([^"]+)"/.exec(page.html)?.[1];
  if (!action) throw new Error(`no form in ${page.url}:\n${page.html.slice(0, 800)}`);
  const body = new URLSearchParams();
  for (const [, name, value] of page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) body.set(name!, value!);
  for (const [name, value] of Object.entries(fields)) body.set(name, value);
  return http.follow(new URL(action, page.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, { stopAt });
}

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const signing = await generateKeyPair('ES256', { extractable: true });
  provider = createServer();
  appServer = createServer();
  await Promise.all([provider, appServer].map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
  const oidc = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID, redirect_uris: [`${appUrl}/signin-oidc`], post_logout_redirect_uris: [`${appUrl}/bye`],
      token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [await exportJWK(publicKey) as never] },
    }],
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [{ ...(await exportJWK(signing.privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' } as never] },
    features: { devInteractions: { enabled: true } },
  });
  provider.on('request', oidc.callback());

  const auth = createWebAuth({
    issuer, clientId: CLIENT_ID, privateKey, redirectUri: `${appUrl}/signin-oidc`, postLogoutRedirectUri: `${appUrl}/bye`,
    scopes: ['openid'], cookie: { secret: 'interop-secret-0123456789abcdefghijklmnop' },
  });
  const app = express();
  app.use(expressWebAuth(auth));
  app.get('/me', requireUser(), (req, res) => { res.json({ user: req.user }); });
  app.get('/token', requireUser(), async (req, res) => { res.json({ token: await req.oidc!.getAccessToken({ scopes: [String(req.query.scope ?? 'openid')] }) }); });
  app.get('/bye', (_req, res) => { res.send('bye'); });
  app.use(expressInteractionHandler());
  appServer.on('request', app);
});
afterAll(async () => {
  for (const s of [appServer, provider]) {
    s?.closeAllConnections();
    s?.close();
    if (s) await once(s, 'close').catch(() => undefined);
  }
});

describe('a generic OpenID provider (bare oidc-provider)', () => {
  const http = createHttpClient();
  const atCallback = (u: URL) => u.href.startsWith(`${appUrl}/signin-oidc`);

  it('signs in through its login and consent pages with private_key_jwt, and signs out through its end_session_endpoint', async () => {
    let step = await http.follow(`${appUrl}/me`, undefined, { stopAt: atCallback });
    step = await submitForm(http, { url: step.url, html: await step.response.text() }, { login: 'carol', password: 'any' }, atCallback);
    step = await submitForm(http, { url: step.url, html: await step.response.text() }, {}, atCallback);
    expect(step.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/signin-oidc\?code=/);
    const done = await http.follow(step.location!);
    expect(done.url).toBe(`${appUrl}/me`);
    expect(await done.response.json()).toMatchObject({ user: { sub: 'carol', iss: issuer, aud: CLIENT_ID } });

    // The sign-in's own access token (for UserInfo) is kept under "no API scopes".
    expect((await http.fetch(`${appUrl}/token`)).status).toBe(200);
    // Without offline_access there is no refresh token: any other scope needs the user again.
    const more = await http.fetch(`${appUrl}/token?scope=forecast:read`);
    expect(more.status).toBe(302);
    expect(more.headers.get('location')).toBe(`/signin?scopes=forecast%3Aread&returnTo=${encodeURIComponent('/token?scope=forecast:read')}`);

    const out = await http.fetch(`${appUrl}/signout`, { method: 'POST', headers: { origin: appUrl } });
    const end = new URL(out.headers.get('location')!);
    expect(`${end.origin}${end.pathname}`).toBe(`${issuer}/session/end`);
    const page = await http.follow(end);
    const bye = await submitForm(http, { url: page.url, html: await page.response.text() }, { logout: 'yes' }, () => false);
    expect(bye.url).toBe(`${appUrl}/bye`);
    expect((await http.fetch(`${appUrl}/me`)).status).toBe(302);
  });
});
