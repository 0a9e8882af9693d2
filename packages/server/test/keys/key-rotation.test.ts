import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, form, startTestServer, type TestServer } from '../support/index.js';
import { DAEMON, TENANT, WEATHER_API, protocolConfig } from '../support/fixtures.js';


let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig(), env: { TESSERA_RELOAD_INTERVAL: '0.2' } });
});
afterAll(() => server?.dispose());

async function token(): Promise<string> {
  const res = await fetch(`${server.issuer(TENANT)}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(DAEMON.clientId, DAEMON.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function jwksKids(): Promise<string[]> {
  const res = await fetch(`${server.issuer(TENANT)}/jwks`);
  return ((await res.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

/** Rotates through the CLI: on the embedded database the server must be stopped (single process). */
async function rotate(activateAfter: number): Promise<void> {
  const before = await jwksKids();
  const embedded = server.databaseKind === 'embedded';
  if (embedded) await server.stop();
  const result = await server.cli(['keys', 'rotate', '--tenant', TENANT, '--activate-after', String(activateAfter)]);
  expect(result.code, result.stderr).toBe(0);
  if (embedded) {
    await server.restart();
  } else {
    // Another process changed the keys: the running server picks it up from the tenant revision.
    await expect.poll(jwksKids, { timeout: 10_000, interval: 100 }).not.toEqual(before);
  }
}

const verify = (jwt: string) => jwtVerify(jwt, createRemoteJWKSet(new URL(`${server.issuer(TENANT)}/jwks`)), {
  issuer: server.issuer(TENANT), audience: WEATHER_API, typ: 'at+jwt',
});

describe('signing key rotation', () => {
  it('publishes the next key before using it, and keeps the old one while its tokens live', async () => {
    const first = await token();
    const firstKid = decodeProtectedHeader(first).kid;
    expect(await jwksKids()).toHaveLength(2);

    // 1. Publish: the JWKS grows, tokens are still signed with the current key.
    await rotate(3600);
    const published = await jwksKids();
    expect(published).toHaveLength(4);
    expect(published).toContain(firstKid);
    expect(decodeProtectedHeader(await token()).kid).toBe(firstKid);

    // 2. Activate at once: new tokens use a new key; the token from before still validates.
    await rotate(0);
    const second = await token();
    const secondKid = decodeProtectedHeader(second).kid;
    expect(secondKid).not.toBe(firstKid);
    expect(await jwksKids()).toContain(firstKid);
    expect((await verify(first)).protectedHeader.kid).toBe(firstKid);
    expect((await verify(second)).protectedHeader.kid).toBe(secondKid);

    // Exactly one signing key per algorithm: the scheduled rotation was superseded.
    if (server.databaseKind === 'embedded') await server.stop();
    const listed = await server.cli(['keys', 'list', '--tenant', TENANT]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.match(/ active /g)).toHaveLength(2);
    expect(listed.stdout).toContain(secondKid);
    expect(listed.stdout).toMatch(new RegExp(`${firstKid}.*retired`));
  });

  it('records every rotation in the audit log', async () => {
    const rows = await server.db().selectFrom('audit_events').select(['type', 'actor']).where('type', '=', 'key.rotated').execute();
    expect(rows).toEqual([{ type: 'key.rotated', actor: 'cli' }, { type: 'key.rotated', actor: 'cli' }]);
  });
});
