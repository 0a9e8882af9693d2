import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExpressAuth, type Account, type ExpressAuthConfig, type Profile } from '@auth/express';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, authorizeThroughPages, BOB, protocolConfig, TENANT, WEB } from '../support/fixtures.js';
import { createHttpClient, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * Auth.js (`@auth/express` 0.12, `@auth/core` 0.41, oauth4webapi underneath) signs a user in
 * through Tessera configured as a generic OIDC provider: discovery over plain http on loopback,
 * PKCE S256, the code exchange with client_secret_basic, the verified ID token as the profile,
 * and Auth.js's own JWT session cookie. One cookie-jar client plays the browser on both hosts
 * (same 127.0.0.1, different ports: the jar ignores ports, and `authjs.*` names do not clash).
 *
 * Two providers: `tessera` is the generic configuration unchanged (weather-web), whose profile is
 * the ID token (Tessera puts the granted scopes' claims there, create-provider.ts); and
 * `tessera-userinfo` with `idToken: false`, so Auth.js reads the profile from the userinfo endpoint.
 */

const AUTH_SECRET = 'authjs-interop-test-secret-0123456789abcdef';
const USERINFO_APP = { clientId: 'authjs-web', secret: 'authjs-web-secret-0123456789abcdef' } as const;

let server: TestServer;
let issuer: string;
let app: Server;
let appOrigin: string;
const callbackUri = (providerId: string) => `${appOrigin}/auth/callback/${providerId}`;

/** What Auth.js handed its `jwt` callback on each sign-in (the ID token claims or userinfo as `profile`). */
const signIns: { profile: Profile; account: Account }[] = [];
/** Errors and debug events Auth.js logged (kept here instead of printed; the deny case asserts on them). */
const loggedErrors: Error[] = [];
const debugEvents: { message: string; metadata: unknown }[] = [];

function authConfig(): ExpressAuthConfig {
  return {
    secret: AUTH_SECRET,
    trustHost: true,
    providers: [
      { id: 'tessera', name: 'Tessera', type: 'oidc', issuer, clientId: WEB.clientId, clientSecret: WEB.secret },
      {
        id: 'tessera-userinfo', name: 'Tessera', type: 'oidc', issuer,
        clientId: USERINFO_APP.clientId, clientSecret: USERINFO_APP.secret, idToken: false,
      },
    ],
    callbacks: {
      jwt({ token, profile, account }) {
        if (profile && account) signIns.push({ profile, account });
        return token;
      },
    },
    logger: {
      error: (error) => { loggedErrors.push(error); },
      debug: (message, metadata) => { debugEvents.push({ message, metadata }); },
    },
  };
}

beforeAll(async () => {
  // The Auth.js app listens first: its callback URLs must be registered exactly.
  const expressApp = express();
  app = expressApp.listen(0, '127.0.0.1');
  await once(app, 'listening');
  appOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  server = await startTestServer({
    config: protocolConfig({
      webRedirectUri: callbackUri('tessera'),
      extraApplications: [{
        clientId: USERINFO_APP.clientId, name: 'Auth.js web', type: 'web',
        redirectUris: [callbackUri('tessera-userinfo')], secrets: [{ value: USERINFO_APP.secret }],
      }],
    }),
  });
  issuer = server.issuer(TENANT);
  // Express 5: mount on the prefix (the @auth/express README's "/auth/*" is Express 4 path syntax).
  expressApp.use('/auth', ExpressAuth(authConfig()));
});
afterAll(async () => {
  if (app) {
    app.closeAllConnections();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  }
  await server?.dispose();
});

async function session(http: HttpClient): Promise<unknown> {
  const response = await http.fetch(`${appOrigin}/auth/session`);
  expect(response.status).toBe(200);
  return response.json();
}

/** GET /auth/csrf, then POST /auth/signin/{provider}: returns Tessera's authorization URL. */
async function startSignIn(http: HttpClient, providerId: string, returnTo = '/dashboard'): Promise<URL> {
  const csrf = await http.fetch(`${appOrigin}/auth/csrf`);
  expect(csrf.status).toBe(200);
  const { csrfToken } = await csrf.json() as { csrfToken: string };
  expect(csrfToken).toEqual(expect.any(String));
  const signIn = await http.fetch(`${appOrigin}/auth/signin/${providerId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${appOrigin}${returnTo}` }),
  });
  const location = signIn.headers.get('location');
  expect(signIn.status, location ?? await signIn.text()).toBe(302);
  return new URL(location!);
}

/** The whole sign-in as alice (login and consent pages), ending on Auth.js's redirect to `returnTo`. */
async function signInAsAlice(http: HttpClient, providerId: string): Promise<void> {
  const authorization = await startSignIn(http, providerId);
  const walk = await authorizeThroughPages(http, authorization, { redirectUri: callbackUri(providerId) });
  expect(walk.pages).toEqual(['login', 'consent']);
  const callback = await http.fetch(walk.callback);
  expect(callback.status, await callback.text()).toBe(302);
  expect(callback.headers.get('location')).toBe(`${appOrigin}/dashboard`);
}

describe('Auth.js with the generic OIDC provider configuration, unchanged', () => {
  it('signs alice in: PKCE S256 authorization request, code exchange, Auth.js session cookie', async () => {
    const http = createHttpClient();
    expect(await session(http)).toBeNull();

    const authorization = await startSignIn(http, 'tessera');
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${issuer}/auth`);
    expect(Object.fromEntries(authorization.searchParams)).toMatchObject({
      response_type: 'code', client_id: WEB.clientId, redirect_uri: callbackUri('tessera'), scope: 'openid profile email',
      code_challenge_method: 'S256', code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });

    const walk = await authorizeThroughPages(http, authorization, { redirectUri: callbackUri('tessera') });
    expect(walk.pages).toEqual(['login', 'consent']);
    expect(walk.callback.searchParams.get('code')).toEqual(expect.any(String));
    // RFC 9207: oauth4webapi checks `iss` because discovery says Tessera sends it.
    expect(walk.callback.searchParams.get('iss')).toBe(issuer);

    const callback = await http.fetch(walk.callback);
    expect(callback.status, await callback.text()).toBe(302);
    expect(callback.headers.get('location')).toBe(`${appOrigin}/dashboard`);
    expect(loggedErrors).toEqual([]);
    expect(http.jar.get('authjs.session-token', appOrigin)).toEqual(expect.any(String));
    expect(await session(http)).toEqual({ user: expect.any(Object), expires: expect.any(String) });
  });

  it('hands the verified ID token claims to the jwt callback as the profile: iss is the tenant issuer', () => {
    expect(signIns).toHaveLength(1);
    const [{ profile, account }] = signIns as [typeof signIns[number]];
    expect(profile).toMatchObject({ iss: issuer, aud: WEB.clientId, sub: expect.stringMatching(/.+/), amr: ['pwd'] });
    expect(account).toMatchObject({
      provider: 'tessera', type: 'oidc', providerAccountId: profile.sub, scope: 'openid profile email',
      token_type: expect.stringMatching(/^bearer$/i), id_token: expect.any(String), access_token: expect.any(String),
    });
  });

  // Auth.js's default profile reads the ID token only: with oidc-provider's default
  // (conformIdTokenClaims), scope claims went to userinfo alone and the session user was {}.
  it('puts alice\'s name and email in the session from the ID token alone', async () => {
    const http = createHttpClient();
    await signInAsAlice(http, 'tessera');
    expect(await session(http)).toEqual({ user: { name: ALICE.name, email: ALICE.email }, expires: expect.any(String) });
  });

  it('sends a user who denies consent to the Auth.js sign-in page with an error and starts no session', async () => {
    const http = createHttpClient();
    loggedErrors.length = 0;
    debugEvents.length = 0;
    const signInsBefore = signIns.length;
    const authorization = await startSignIn(http, 'tessera');
    const walk = await authorizeThroughPages(http, authorization, {
      redirectUri: callbackUri('tessera'), login: BOB.username, password: BOB.password, consent: 'deny',
    });
    expect(walk.pages).toEqual(['login', 'consent']);
    expect(walk.callback.searchParams.get('error')).toBe('access_denied');
    expect(walk.callback.searchParams.has('code')).toBe(false);

    const callback = await http.fetch(walk.callback);
    expect(callback.status, await callback.text()).toBe(302);
    // OAuthCallbackError is a SignInError: Auth.js redirects to its sign-in page with the error type.
    expect(callback.headers.get('location')).toBe(`${appOrigin}/auth/signin?error=OAuthCallbackError`);
    expect(loggedErrors).toEqual([expect.objectContaining({ name: 'OAuthCallbackError' })]);
    // Auth.js drops the error's cause; its debug event carries Tessera's error response.
    expect(debugEvents).toContainEqual({
      message: 'OAuthCallbackError',
      metadata: expect.objectContaining({ providerId: 'tessera', error: 'access_denied', iss: issuer }),
    });

    expect(http.jar.get('authjs.session-token', appOrigin)).toBeUndefined();
    expect(await session(http)).toBeNull();
    expect(signIns).toHaveLength(signInsBefore);
  });
});

describe('Auth.js with idToken: false (profile from the userinfo endpoint)', () => {
  it('signs alice in and the session carries her name and email', async () => {
    const http = createHttpClient();
    const signInsBefore = signIns.length;
    await signInAsAlice(http, 'tessera-userinfo');
    expect(await session(http)).toEqual({ user: { name: ALICE.name, email: ALICE.email }, expires: expect.any(String) });

    expect(signIns).toHaveLength(signInsBefore + 1);
    const { profile, account } = signIns.at(-1)!;
    // processUserInfoResponse checked userinfo's sub against the ID token's.
    expect(profile).toMatchObject({ sub: account.providerAccountId, name: ALICE.name, email: ALICE.email, email_verified: true });
    expect(account).toMatchObject({ provider: 'tessera-userinfo', type: 'oidc', id_token: expect.any(String) });
  });
});
