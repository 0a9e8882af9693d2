import { jwtVerify, createRemoteJWKSet } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createGroupRepository } from '../../src/db/repositories/groups.js';
import { GROUPS_CLAIM_LIMIT } from '../../src/identity/effective-roles.js';
import {
  ALICE, authorizeThroughPages, BOB, createPkce, discoverClient, protocolConfig, readDatabase, REPORTS_API, TENANT, WEATHER_API, WEB,
} from '../support/fixtures.js';
import { createHttpClient, startTestServer, type HttpClient, type TestServer } from '../support/index.js';

/**
 * Roles and groups in access tokens (docs/roles-and-groups.md): a user's `roles` for an API are
 * the direct ones for that API, the tenant-wide ones, and those of the user's groups — never
 * another API's; `groups` names the user's groups when the API asks for it, `groups_overage`
 * replaces it above GROUPS_CLAIM_LIMIT; a membership removed is gone from the next token.
 */

const REPORTER = { clientId: 'reports-web', secret: 'reports-web-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5003/signin-oidc' } as const;
const CAROL = { username: 'carol', password: 'carol has a long passphrase' } as const;
const EDITORS = 'Weather editors';

/** The shared fixture plus groups: alice in one group and a tenant-wide role, bob in one more group than the limit. */
function rolesGroupsConfig(): string {
  const config = parse(protocolConfig({
    extraApplications: [{
      clientId: REPORTER.clientId, name: 'Reports web', type: 'web', redirectUris: [REPORTER.redirectUri],
      secrets: [{ value: REPORTER.secret }], permissions: [{ api: REPORTS_API, scopes: ['reports.read'] }],
    }],
    extraUsers: [{ username: CAROL.username, password: CAROL.password }],
  })) as { tenants: Record<string, any>[] };
  const tenant = config.tenants[0]!;
  tenant.apis.find((api: { identifier: string }) => api.identifier === WEATHER_API).groupsClaim = true;
  tenant.users.find((user: { username: string }) => user.username === ALICE.username).roles.push({ roles: ['staff'] });
  tenant.roles = [{ name: 'staff', description: 'Everyone' }, { name: 'editor', api: WEATHER_API }];
  tenant.groups = [
    { name: EDITORS, roles: [{ api: WEATHER_API, roles: ['editor'] }, { api: REPORTS_API, roles: ['publisher'] }], members: [ALICE.username] },
    ...Array.from({ length: GROUPS_CLAIM_LIMIT + 1 }, (_, i) => ({
      name: `team-${String(i).padStart(3, '0')}`, members: [BOB.email], ...(i === 0 ? { roles: [{ api: WEATHER_API, roles: ['viewer'] }] } : {}),
    })),
  ];
  return stringify(config);
}

let server: TestServer;
let issuer: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  server = await startTestServer({ config: rolesGroupsConfig() });
  issuer = server.issuer(TENANT);
  jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
});
afterAll(() => server?.dispose());

/** Signs in through the pages and returns the verified access token's claims and the ID token's. */
async function tokenFor(app: { clientId: string; secret: string; redirectUri: string }, api: string, scope: string, user: { username: string; password: string }, http: HttpClient = createHttpClient()) {
  const config = await discoverClient(server, app.clientId, oidc.ClientSecretBasic(app.secret));
  const pkce = await createPkce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: app.redirectUri, scope: `openid ${api}/${scope}`, state, code_challenge: pkce.challenge, code_challenge_method: 'S256',
  });
  const walk = await authorizeThroughPages(http, url, { redirectUri: app.redirectUri, login: user.username, password: user.password });
  const tokens = await oidc.authorizationCodeGrant(config, walk.callback, { pkceCodeVerifier: pkce.verifier, expectedState: state });
  const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer, audience: api, typ: 'at+jwt' });
  return { access: payload, idToken: tokens.claims()! };
}

describe('roles and groups in access tokens', () => {
  it('gives the direct, tenant-wide and group roles for the API, and the groups claim it asks for', async () => {
    const { access, idToken } = await tokenFor(WEB, WEATHER_API, 'weather.read', ALICE);
    expect(access.roles).toEqual(['editor', 'forecaster', 'staff']);
    expect(access.groups).toEqual([EDITORS]);
    expect(access).not.toHaveProperty('groups_overage');
    // ID tokens are for the application, not for authorization at an API: no roles, no groups.
    expect(idToken).not.toHaveProperty('roles');
    expect(idToken).not.toHaveProperty('groups');
  });

  it('gives none of another API\'s roles, and no groups to an API that does not ask for them', async () => {
    const { access } = await tokenFor(REPORTER, REPORTS_API, 'reports.read', ALICE);
    expect(access.roles).toEqual(['auditor', 'publisher', 'staff']);
    expect(access).not.toHaveProperty('groups');
    expect(access).not.toHaveProperty('groups_overage');
  });

  it(`marks an overage instead of listing more than ${GROUPS_CLAIM_LIMIT} groups, and still gives their roles`, async () => {
    const { access } = await tokenFor(WEB, WEATHER_API, 'weather.read', BOB);
    expect(access.groups_overage).toBe(true);
    expect(access).not.toHaveProperty('groups');
    expect(access.roles).toEqual(['viewer']);
  });

  it('gives a user in no group and with no role neither claim', async () => {
    const { access } = await tokenFor(WEB, WEATHER_API, 'weather.read', CAROL);
    expect(access).not.toHaveProperty('roles');
    expect(access).not.toHaveProperty('groups');
    expect(access).not.toHaveProperty('groups_overage');
  });

  it('drops a group\'s roles and name from the next token once the member is removed', async () => {
    // Carol joins outside the configuration file (which would add a listed member again when the server restarts).
    const changeMembership = (change: 'add' | 'remove') => readDatabase(server, async (db) => {
      const groups = createGroupRepository(db);
      const carol = await db.selectFrom('users').select('id').where('username', '=', CAROL.username).executeTakeFirstOrThrow();
      const editors = await groups.findByName(TENANT, EDITORS);
      return change === 'add' ? groups.addMember(editors!.id, carol.id) : groups.removeMember(editors!.id, carol.id);
    });
    expect(await changeMembership('add')).toBe(true);
    const member = await tokenFor(WEB, WEATHER_API, 'weather.read', CAROL);
    expect(member.access.roles).toEqual(['editor']);
    expect(member.access.groups).toEqual([EDITORS]);

    expect(await changeMembership('remove')).toBe(true);
    const { access } = await tokenFor(WEB, WEATHER_API, 'weather.read', CAROL);
    expect(access).not.toHaveProperty('roles');
    expect(access).not.toHaveProperty('groups');
  });
});
