import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { createHttpClient } from '../support/http.js';
import { ALICE, authorizeThroughPages, createPkce, discoverClient, protocolConfig, TENANT, WEB } from '../support/fixtures.js';
import { signInApi, whoami } from '../support/flows.js';

let server: TestServer;
beforeAll(async () => { server = await startTestServer({ config: protocolConfig() }); });
afterAll(async () => { await server?.dispose(); });

describe('an administrator lists and ends the sessions of a user', () => {
  it('users sessions lists them; users sign-out ends account sessions and application sign-ins', async () => {
    const token = (await signInApi(server, TENANT, ALICE.username, ALICE.password)).body.session?.token ?? '';
    // A browser sign-in to an application: an oidc-provider session (and an account session).
    const http = createHttpClient();
    const web = await discoverClient(server, WEB.clientId, oidc.ClientSecretBasic(WEB.secret));
    const pkce = await createPkce();
    const url = oidc.buildAuthorizationUrl(web, {
      redirect_uri: WEB.redirectUri, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256', state: oidc.randomState(),
    });
    const first = await authorizeThroughPages(http, url, { redirectUri: WEB.redirectUri });
    expect(first.pages).toContain('login');
    expect((await whoami(server, TENANT, token)).status).toBe(200);

    await server.stop();
    const listed = await server.cli(['users', 'sessions', '--tenant', TENANT, ALICE.username]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n')).toHaveLength(3); // header + API session + browser session
    expect(listed.stdout).toContain('127.0.0.1');
    expect(listed.stdout).not.toContain(token);
    const signedOut = await server.cli(['users', 'sign-out', '--tenant', TENANT, ALICE.username]);
    expect(signedOut.code, signedOut.stderr).toBe(0);
    expect(signedOut.stdout).toContain('(1 application sign-in session ended)');
    await server.restart();

    expect((await whoami(server, TENANT, token)).status).toBe(401);
    // The same browser must sign in again: no silent SSO from either session.
    const again = await authorizeThroughPages(http, oidc.buildAuthorizationUrl(web, {
      redirect_uri: WEB.redirectUri, scope: 'openid', code_challenge: pkce.challenge, code_challenge_method: 'S256', state: oidc.randomState(),
    }), { redirectUri: WEB.redirectUri });
    expect(again.pages).toContain('login');
  });
});
