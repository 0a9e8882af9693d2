import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE, BOB, createPkce, csrfOf, DAEMON, discoverClient, protocolConfig, readDatabase, TENANT, WEATHER_API,
} from '../support/fixtures.js';
import { createHttpClient, startTestServer, type HttpClient, type TestServer } from '../support/index.js';
import {
  ConsentError, grantAdminConsent, listAdminConsents, revokeAdminConsent, type AdminConsent,
} from '../../src/identity/consents.js';

/**
 * Consent rules (docs/consent.md): the consent page lists exactly what is asked, in the API's words;
 * consent is remembered per user, application and scope set; incremental consent asks only for
 * what is new; prompt=consent forces the prompt; a tenant-wide (admin) consent means nobody is
 * asked for what it covers; daemons have no consent path.
 */

const EDITOR = { clientId: 'weather-editor', secret: 'editor-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5001/cb' } as const;
const PORTAL = { clientId: 'weather-portal', secret: 'portal-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5002/cb' } as const;
const CAROL = { username: 'carol', email: 'carol@example.com', name: 'Carol Example', password: 'carol-has-a-long-passphrase' } as const;
const READ = `${WEATHER_API}/weather.read`;
const WRITE = `${WEATHER_API}/weather.write`;

let server: TestServer;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;
let editor: oidc.Configuration;
let portal: oidc.Configuration;

const webApp = (app: { clientId: string; secret: string; redirectUri: string }, name: string) => ({
  clientId: app.clientId, name, type: 'web', redirectUris: [app.redirectUri], secrets: [{ value: app.secret }],
  permissions: [{ api: WEATHER_API, scopes: ['weather.read', 'weather.write'] }],
});

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig({
    extraApplications: [webApp(EDITOR, 'Weather editor'), webApp(PORTAL, 'Weather portal')],
    extraUsers: [{ ...CAROL, emailVerified: true }],
  }) });
  issuer = server.issuer(TENANT);
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
  editor = await discoverClient(server, EDITOR.clientId, oidc.ClientSecretBasic(EDITOR.secret));
  portal = await discoverClient(server, PORTAL.clientId, oidc.ClientSecretBasic(PORTAL.secret));
});
afterAll(() => server?.dispose());

interface Walk {
  /** The permissions each consent page listed: [description, name] pairs. */
  consentPages: [string, string][][];
  loginPages: number;
  callback: URL;
}

/** The `<li>` items of a consent page: [description, scope name]. */
function listedPermissions(html: string): [string, string][] {
  return [...html.matchAll(/<li><strong>([^<]*)<\/strong> <span class="muted">\(([^)]*)\)<\/span><\/li>/g)].map((m) => [m[1]!, m[2]!]);
}

/** Walks the sign-in and consent pages like a browser, allowing every consent page, and redeems the code. */
async function authorize(http: HttpClient, config: oidc.Configuration, redirectUri: string, scope: string,
  options: { user?: { username: string; password: string }; extra?: Record<string, string> } = {}) {
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope, state, code_challenge: pkce.challenge, code_challenge_method: 'S256', ...options.extra,
  });
  const user = options.user ?? ALICE;
  const stopAt = (next: URL) => next.href.startsWith(redirectUri);
  const walk: Walk = { consentPages: [], loginPages: 0, callback: new URL(redirectUri) };
  let step = await http.follow(url, undefined, { stopAt });
  for (let i = 0; i < 4 && !step.location; i++) {
    const html = await step.response.text();
    expect(step.response.status, html.slice(0, 500)).toBe(200);
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const fields: Record<string, string> = { csrf: csrfOf(html) };
    if (html.includes('name="password"')) {
      walk.loginPages++;
      Object.assign(fields, { identifier: user.username, password: user.password });
    } else {
      walk.consentPages.push(listedPermissions(html));
    }
    step = await http.follow(step.url, { method: 'POST', headers, body: new URLSearchParams(fields) }, { stopAt });
  }
  walk.callback = new URL(step.location!);
  const tokens = await oidc.authorizationCodeGrant(config, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  return { ...walk, tokens };
}

async function accessScope(token: string): Promise<string> {
  const { payload } = await jwtVerify(token, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
  return String(payload.scope);
}

describe('a user’s own consent', () => {
  const alice = createHttpClient();

  it('the consent page lists exactly what is asked, in the words of OpenID Connect and of the API', async () => {
    const walk = await authorize(alice, editor, EDITOR.redirectUri, `openid profile ${READ}`);
    expect(walk.loginPages).toBe(1);
    expect(walk.consentPages).toEqual([[
      ['Sign you in', 'openid'],
      ['See your name and username', 'profile'],
      ['Read weather forecasts', READ],
    ]]);
    expect(await accessScope(walk.tokens.access_token)).toBe('weather.read');
  });

  it('is remembered per user, application and scope set: the same request again shows no page', async () => {
    const walk = await authorize(alice, editor, EDITOR.redirectUri, `openid profile ${READ}`);
    expect(walk.consentPages).toEqual([]);
    expect(walk.loginPages).toBe(0);
    // A subset of what was granted needs no consent either.
    expect((await authorize(alice, editor, EDITOR.redirectUri, `openid ${READ}`)).consentPages).toEqual([]);
  });

  it('is per application: another application of the same user asks', async () => {
    const walk = await authorize(alice, portal, PORTAL.redirectUri, `openid ${READ}`);
    expect(walk.consentPages).toEqual([[['Sign you in', 'openid'], ['Read weather forecasts', READ]]]);
  });

  it('is incremental: a request with new scopes asks only for the new ones', async () => {
    const walk = await authorize(alice, editor, EDITOR.redirectUri, `openid profile email ${READ} ${WRITE}`);
    expect(walk.consentPages).toEqual([[['See your email address', 'email'], ['Publish weather observations', WRITE]]]);
    expect((await accessScope(walk.tokens.access_token)).split(' ').sort()).toEqual(['weather.read', 'weather.write']);
    // And now the whole set is remembered.
    expect((await authorize(alice, editor, EDITOR.redirectUri, `openid profile email ${READ} ${WRITE}`)).consentPages).toEqual([]);
  });

  it('prompt=consent shows the consent page even though everything was granted', async () => {
    const walk = await authorize(alice, editor, EDITOR.redirectUri, `openid ${READ}`, { extra: { prompt: 'consent' } });
    expect(walk.consentPages).toHaveLength(1);
    expect(await accessScope(walk.tokens.access_token)).toBe('weather.read');
  });

  it('a denied consent gives access_denied and grants nothing', async () => {
    const bob = createHttpClient();
    const pkce = await createPkce();
    const url = oidc.buildAuthorizationUrl(portal, {
      redirect_uri: PORTAL.redirectUri, scope: `openid ${READ}`, state: 's', code_challenge: pkce.challenge, code_challenge_method: 'S256',
    });
    const stopAt = (next: URL) => next.href.startsWith(PORTAL.redirectUri);
    let step = await bob.follow(url, undefined, { stopAt });
    const login = await step.response.text();
    step = await bob.follow(step.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(login), identifier: BOB.username, password: BOB.password }) }, { stopAt });
    const consent = await step.response.text();
    expect(listedPermissions(consent)).toHaveLength(2);
    step = await bob.follow(`${step.url}/abort`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(consent) }) }, { stopAt });
    expect(new URL(step.location!).searchParams.get('error')).toBe('access_denied');
    // Asked again next time: nothing was remembered.
    expect((await authorize(bob, portal, PORTAL.redirectUri, `openid ${READ}`, { user: BOB })).consentPages).toHaveLength(1);
  });
});

describe('tenant-wide (admin) consent', () => {
  let granted: AdminConsent[] = [];

  it('is refused for unknown applications, APIs and scopes, and for daemons', async () => {
    const refusal = async (input: { clientId: string; api: string; scopes: string[] }) =>
      readDatabase(server, (db) => grantAdminConsent(db, TENANT, input, 'test-admin').then(() => undefined, (error: unknown) => error), { restart: false });
    const cases = [
      [{ clientId: 'nobody', api: WEATHER_API, scopes: ['weather.read'] }, 'consent.unknown_application', undefined],
      [{ clientId: PORTAL.clientId, api: 'api://nothing', scopes: ['weather.read'] }, 'consent.unknown_api', undefined],
      [{ clientId: PORTAL.clientId, api: WEATHER_API, scopes: ['weather.read', 'weather.delete'] }, 'consent.unknown_scope', 'weather.delete'],
      [{ clientId: PORTAL.clientId, api: 'openid', scopes: ['openid', 'phone'] }, 'consent.unknown_scope', 'phone'],
      [{ clientId: PORTAL.clientId, api: WEATHER_API, scopes: [] }, 'consent.unknown_scope', undefined],
      [{ clientId: DAEMON.clientId, api: WEATHER_API, scopes: ['weather.read'] }, 'consent.daemon_application', undefined],
    ] as const;
    try {
      for (const [input, code, detail] of cases) {
        const error = await refusal({ ...input, scopes: [...input.scopes] });
        expect(error, code).toBeInstanceOf(ConsentError);
        expect((error as ConsentError).code).toBe(code);
        if (detail) expect((error as ConsentError).detail).toBe(detail);
      }
      expect(await readDatabase(server, (db) => listAdminConsents(db, TENANT, { limit: 10 }), { restart: false })).toEqual([]);
    } finally {
      await server.restart();
    }
  });

  it('is stored per application and API; granting again replaces the scopes; lists page by id', async () => {
    granted = await readDatabase(server, async (db) => {
      await grantAdminConsent(db, TENANT, { clientId: PORTAL.clientId, api: WEATHER_API, scopes: ['weather.write'] }, 'test-admin');
      const weather = await grantAdminConsent(db, TENANT, { clientId: PORTAL.clientId, api: WEATHER_API, scopes: ['weather.read', 'weather.read'] }, 'admin-2');
      const openid = await grantAdminConsent(db, TENANT, { clientId: PORTAL.clientId, api: 'openid', scopes: ['profile', 'openid'] }, 'test-admin');
      return [weather, openid];
    });
    const [weather, openid] = granted;
    expect(weather).toMatchObject({ clientId: PORTAL.clientId, api: WEATHER_API, scopes: ['weather.read'], grantedBy: 'admin-2' });
    expect(openid).toMatchObject({ clientId: PORTAL.clientId, api: 'openid', scopes: ['openid', 'profile'] });
    const pages = await readDatabase(server, async (db) => {
      const all = await listAdminConsents(db, TENANT, { limit: 10 });
      const first = await listAdminConsents(db, TENANT, { limit: 1 });
      const second = await listAdminConsents(db, TENANT, { limit: 1, after: first[0]!.id });
      const third = await listAdminConsents(db, TENANT, { limit: 1, after: second[0]!.id });
      const other = await listAdminConsents(db, TENANT, { limit: 10, clientId: EDITOR.clientId });
      return { all, first, second, third, other };
    });
    expect(pages.all.map((c) => c.id)).toEqual([weather!.id, openid!.id].sort());
    expect([...pages.first, ...pages.second].map((c) => c.id)).toEqual(pages.all.map((c) => c.id));
    expect(pages.third).toEqual([]);
    expect(pages.other).toEqual([]);
  });

  it('signs in every user of the tenant without a consent page for what it covers', async () => {
    for (const user of [ALICE, BOB]) {
      const walk = await authorize(createHttpClient(), portal, PORTAL.redirectUri, `openid profile ${READ}`, { user });
      expect(walk.loginPages).toBe(1);
      expect(walk.consentPages).toEqual([]);
      expect(await accessScope(walk.tokens.access_token)).toBe('weather.read');
      expect(walk.tokens.claims()?.name).toBe(user.name);
    }
  });

  it('still asks for what it does not cover, and only for that', async () => {
    const walk = await authorize(createHttpClient(), portal, PORTAL.redirectUri, `openid profile email ${READ} ${WRITE}`, { user: BOB });
    expect(walk.consentPages).toEqual([[['See your email address', 'email'], ['Publish weather observations', WRITE]]]);
  });

  it('prompt=consent still shows the consent page', async () => {
    const walk = await authorize(createHttpClient(), portal, PORTAL.redirectUri, `openid ${READ}`, { extra: { prompt: 'consent' } });
    expect(walk.loginPages).toBe(1);
    expect(walk.consentPages).toHaveLength(1);
  });

  it('applies only to its application', async () => {
    const walk = await authorize(createHttpClient(), editor, EDITOR.redirectUri, `openid ${READ}`, { user: BOB });
    expect(walk.consentPages).toHaveLength(1);
  });

  it('once revoked, users who never consented are asked again', async () => {
    const results = await readDatabase(server, async (db) => [
      await revokeAdminConsent(db, TENANT, granted[0]!.id, 'test-admin'),
      await revokeAdminConsent(db, TENANT, granted[0]!.id, 'test-admin'),
      await revokeAdminConsent(db, TENANT, 'not-a-uuid'),
    ]);
    expect(results).toEqual([true, false, false]);
    // Carol never signed in to the portal: the API scope is asked, OpenID Connect ones are still covered.
    const walk = await authorize(createHttpClient(), portal, PORTAL.redirectUri, `openid profile ${READ}`, { user: CAROL });
    expect(walk.consentPages).toEqual([[['Read weather forecasts', READ]]]);
  });
});

describe('daemons', () => {
  it('get tokens with client credentials and their app roles, with no consent involved', async () => {
    const daemon = await discoverClient(server, DAEMON.clientId, oidc.ClientSecretBasic(DAEMON.secret));
    const tokens = await oidc.clientCredentialsGrant(daemon, { scope: `${WEATHER_API}/.default` });
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    expect(payload.roles).toEqual(['app.weather']);
  });
});
