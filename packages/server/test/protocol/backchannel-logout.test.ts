import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ApplicationSchema } from '../../src/config/declarative-config.js';
import { BACKCHANNEL_LOGOUT_EVENT } from '../../src/provider/backchannel-logout.js';
import { authorizeThroughPages, createPkce, discoverClient, jwtClaims, protocolConfig, readDatabase, WEB } from '../support/fixtures.js';
import { createHttpClient, form, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * OpenID Connect Back-Channel Logout 1.0: when a user signs out (RP-initiated logout), every
 * web application of the session with a backchannelLogoutUri receives a logout token on a
 * local receiver; the token is verified against the tenant's JWKS. A failed delivery is tried
 * twice more in the background; the outcome is audited.
 */

const NOTES = { clientId: 'notes-web', secret: 'notes-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5001/signin-oidc' } as const;
const FLAKY = { clientId: 'flaky-web', secret: 'flaky-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5002/signin-oidc' } as const;
const DOWN = { clientId: 'down-web', secret: 'down-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5003/signin-oidc' } as const;

/** A back-channel logout endpoint on 127.0.0.1 that answers with `statuses` in turn (the last one repeats). */
interface Receiver {
  url: string;
  tokens: string[];
  /** Resolves once `count` requests have been answered. */
  answered(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startReceiver(statuses: number[]): Promise<Receiver> {
  const tokens: string[] = [];
  let done = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { body += chunk; });
    req.on('end', () => {
      const ok = req.method === 'POST' && req.headers['content-type']?.startsWith('application/x-www-form-urlencoded');
      const token = new URLSearchParams(body).get('logout_token');
      if (ok && token) tokens.push(token);
      res.on('finish', () => {
        done += 1;
        for (const waiter of waiters.filter((w) => w.count <= done)) waiter.resolve();
      });
      res.writeHead(statuses[Math.min(tokens.length, statuses.length) - 1] ?? 400, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    answered: (count) => (done >= count ? Promise.resolve() : new Promise((resolve) => { waiters.push({ count, resolve }); })),
    close: () => new Promise((resolve) => { server.close(() => resolve()); }),
  };
}

let server: TestServer;
let healthy: Receiver;
let flaky: Receiver;
let down: Receiver;
const clients = new Map<string, oidc.Configuration>();

beforeAll(async () => {
  healthy = await startReceiver([200]);
  flaky = await startReceiver([503, 500, 204]);
  down = await startReceiver([503]);
  const webApp = (app: { clientId: string; secret: string; redirectUri: string }, backchannelLogoutUri?: string) => ({
    clientId: app.clientId, name: app.clientId, type: 'web', redirectUris: [app.redirectUri], secrets: [{ value: app.secret }],
    ...(backchannelLogoutUri ? { backchannelLogoutUri } : {}),
  });
  const config = parse(protocolConfig({ extraApplications: [webApp(NOTES), webApp(FLAKY, flaky.url), webApp(DOWN, down.url)] })) as {
    tenants: { applications: { clientId: string; backchannelLogoutUri?: string }[] }[];
  };
  // WEB's entry comes from the shared fixture: give it the healthy receiver.
  config.tenants[0]!.applications.find((app) => app.clientId === WEB.clientId)!.backchannelLogoutUri = healthy.url;
  server = await startTestServer({ config: stringify(config) });
  for (const app of [WEB, NOTES, FLAKY, DOWN]) {
    clients.set(app.clientId, await discoverClient(server, app.clientId, oidc.ClientSecretBasic(app.secret)));
  }
});
afterAll(async () => {
  await server?.dispose();
  await Promise.all([healthy, flaky, down].map((receiver) => receiver?.close()));
});

async function signIn(http: HttpClient, app: { clientId: string; redirectUri: string }) {
  const client = clients.get(app.clientId)!;
  const pkce = await createPkce();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: app.redirectUri, scope: 'openid profile', code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: app.redirectUri });
  const tokens = await oidc.authorizationCodeGrant(client, walk.callback, { pkceCodeVerifier: pkce.verifier });
  return jwtClaims(tokens.id_token!) as { sub: string; sid: string; aud: string };
}

/** Signs out through the confirmation page ("Sign out": logout=yes, or "Stay signed in"); returns the confirm response status. */
async function signOut(http: HttpClient, app: { clientId: string }, choice: 'sign-out' | 'stay' = 'sign-out'): Promise<number> {
  const page = await http.fetch(oidc.buildEndSessionUrl(clients.get(app.clientId)!, { client_id: app.clientId }));
  const html = await page.text();
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error(`no logout form in:\n${html.slice(0, 1500)}`);
  const confirm = await http.fetch(new URL(action, server.url), {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ xsrf, logout: choice === 'sign-out' ? 'yes' : undefined }),
  });
  return confirm.status;
}

/** Verifies a logout token as an application must (Back-Channel Logout 1.0 §2.6). */
async function verifyLogoutToken(token: string, clientId: string): Promise<JWTPayload> {
  const metadata = clients.get(clientId)!.serverMetadata();
  const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri!));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: metadata.issuer, audience: clientId, typ: 'logout+jwt' });
  expect(protectedHeader.alg).toBe('ES256');
  expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
  expect(payload).not.toHaveProperty('nonce');
  expect(payload.jti).toEqual(expect.any(String));
  expect(payload.iat).toEqual(expect.any(Number));
  return payload;
}

async function auditEvents(type: string, clientId: string, expected: number) {
  const read = () => readDatabase(server, (db) => db.selectFrom('audit_events').selectAll()
    .where('type', '=', type).where('client_id', '=', clientId).execute());
  // PostgreSQL is read live, while a background retry may still be writing its event.
  for (let i = 0; i < 50 && server.databaseKind === 'postgres'; i++) {
    const rows = await read();
    if (rows.length >= expected) return rows;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return read();
}

describe('configuration', () => {
  const web = { clientId: 'some-web', type: 'web' };
  it.each([
    [{ ...web, backchannelLogoutUri: 'https://app.example/logout' }, true],
    [{ ...web, backchannelLogoutUri: 'http://127.0.0.1:8080/logout?tenant=1' }, true],
    [{ ...web, backchannelLogoutUri: 'http://app.example/logout' }, false],
    [{ ...web, backchannelLogoutUri: 'https://app.example/logout#frag' }, false],
    [{ ...web, backchannelLogoutUri: 'not a uri' }, false],
    [{ clientId: 'some-spa', type: 'spa', backchannelLogoutUri: 'https://app.example/logout' }, false],
    [{ clientId: 'some-native', type: 'native', backchannelLogoutUri: 'https://app.example/logout' }, false],
    [{ clientId: 'some-daemon', type: 'daemon', backchannelLogoutUri: 'https://app.example/logout' }, false],
  ])('%o is accepted: %s', (app, accepted) => {
    const result = ApplicationSchema.safeParse(app);
    expect(result.success).toBe(accepted);
    if (!result.success) expect(result.error.issues[0]!.path).toEqual(['backchannelLogoutUri']);
  });
});

describe('back-channel logout', () => {
  it('is advertised in discovery', () => {
    const metadata = clients.get(WEB.clientId)!.serverMetadata();
    expect(metadata.backchannel_logout_supported).toBe(true);
    expect(metadata.backchannel_logout_session_supported).toBe(true);
  });

  it('RP-initiated logout sends a verified logout token to the app with a URI, and nothing for the app without', async () => {
    const http = createHttpClient();
    const webId = await signIn(http, WEB);
    // The ID token names the session (sid) for an application that takes back-channel logout.
    expect(webId.sid).toEqual(expect.any(String));
    await signIn(http, NOTES);

    expect(await signOut(http, WEB)).toBe(303);
    // oidc-provider waits for the first delivery before answering: it has arrived already.
    expect(healthy.tokens).toHaveLength(1);
    const payload = await verifyLogoutToken(healthy.tokens[0]!, WEB.clientId);
    expect(payload.sid).toBe(webId.sid);
    expect(payload.sub).toBe(webId.sub);
    // A logout token for another application does not verify for this one.
    await expect(verifyLogoutToken(healthy.tokens[0]!, NOTES.clientId)).rejects.toThrow();
    expect([...flaky.tokens, ...down.tokens]).toEqual([]);

    const sent = await auditEvents('logout.backchannel_sent', WEB.clientId, 1);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ outcome: 'success', data: expect.objectContaining({ attempts: 1, sid: webId.sid }) });
    const notes = await readDatabase(server, (db) => db.selectFrom('audit_events').select('type')
      .where('client_id', '=', NOTES.clientId).where('type', 'like', 'logout.%').execute());
    expect(notes).toEqual([]);
  });

  it('signing out of an app without a URI sends nothing', async () => {
    const http = createHttpClient();
    const before = healthy.tokens.length;
    await signIn(http, NOTES);
    expect(await signOut(http, NOTES)).toBe(303);
    expect(healthy.tokens).toHaveLength(before);
    expect([...flaky.tokens, ...down.tokens]).toEqual([]);
  });

  it('"Stay signed in" sends the token to the asking application only', async () => {
    const http = createHttpClient();
    const before = healthy.tokens.length;
    const webId = await signIn(http, WEB);
    await signIn(http, FLAKY);
    expect(await signOut(http, WEB, 'stay')).toBe(303);
    expect(healthy.tokens).toHaveLength(before + 1);
    expect(await verifyLogoutToken(healthy.tokens.at(-1)!, WEB.clientId)).toMatchObject({ sid: webId.sid, sub: webId.sub });
    expect(flaky.tokens).toEqual([]);
  });

  it('retries a receiver that fails twice, with a fresh token each time', async () => {
    const http = createHttpClient();
    const id = await signIn(http, FLAKY);
    expect(await signOut(http, FLAKY)).toBe(303);
    await withTimeout(flaky.answered(3), 10_000);
    expect(flaky.tokens).toHaveLength(3);
    const payloads = await Promise.all(flaky.tokens.map((token) => verifyLogoutToken(token, FLAKY.clientId)));
    expect(new Set(payloads.map((p) => p.jti)).size).toBe(3);
    for (const payload of payloads) expect(payload).toMatchObject({ sid: id.sid, sub: id.sub });

    const sent = await auditEvents('logout.backchannel_sent', FLAKY.clientId, 1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.data).toMatchObject({ attempts: 3 });
    expect(await auditEvents('logout.backchannel_failed', FLAKY.clientId, 0)).toEqual([]);
  });

  it('gives up after three attempts and audits logout.backchannel_failed', async () => {
    const http = createHttpClient();
    await signIn(http, DOWN);
    expect(await signOut(http, DOWN)).toBe(303);
    await withTimeout(down.answered(3), 10_000);
    expect(down.tokens).toHaveLength(3);

    const failed = await auditEvents('logout.backchannel_failed', DOWN.clientId, 1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ outcome: 'failure', data: expect.objectContaining({ attempts: 3, uri: down.url }) });
    expect(String((failed[0]!.data as { error: string }).error)).toContain('503');
    expect(await auditEvents('logout.backchannel_sent', DOWN.clientId, 0)).toEqual([]);
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
