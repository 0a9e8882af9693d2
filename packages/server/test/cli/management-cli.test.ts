import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, DAEMON, TENANT, WEATHER_API, protocolConfig } from '../support/fixtures.js';
import { basicAuth, form, startTestServer, type CliResult, type TestServer } from '../support/index.js';

/**
 * `tessera <resource> list|get|create|update|delete`: the management API's operations from the
 * CLI (one code path), with --json. The embedded database admits one process at a time, so the
 * server is stopped while the CLI runs and restarted once to see the changes at the token endpoint.
 */
let server: TestServer;
beforeAll(async () => { server = await startTestServer({ config: protocolConfig() }); });
afterAll(async () => { await server?.dispose(); });

const ACTOR = `cli:${userInfo().username}`;
type Json = Record<string, unknown> & { items?: Record<string, unknown>[]; nextCursor?: string | null; etag?: string };

function parsed(run: CliResult): Json {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Json;
}

const apps = (args: string[], stdin?: string) => server.cli(['applications', ...args, '--tenant', TENANT], stdin);
const web = (clientId: string, redirectUri = `https://${clientId}.example.com/callback`) =>
  JSON.stringify({ clientId, name: clientId, type: 'web', redirectUris: [redirectUri] });

async function clientCredentials(clientId: string, secret: string) {
  const response = await fetch(`${server.issuer(TENANT)}/token`, {
    method: 'POST',
    headers: { authorization: basicAuth(clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` }),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

describe('tessera <resource> commands', () => {
  let created: Json;
  it('creates applications (a confidential one gets its secret once) and lists them in pages with --json', async () => {
    await server.stop();
    created = parsed(await apps(['create', '--data', web('cli-web'), '--json']));
    expect(created).toMatchObject({ clientId: 'cli-web', type: 'web', public: false });
    expect(created.clientSecret).toMatch(/^tsr_[\w-]{43}$/);
    expect(created.etag).toMatch(/^"[\w-]+"$/);
    expect(parsed(await apps(['create', '--data', JSON.stringify({ clientId: 'cli-spa', type: 'spa', redirectUris: ['https://spa.example.com/cb'] }), '--json'])))
      .not.toHaveProperty('clientSecret');

    // Pages of one follow each other in client_id order: the second starts where the first ended.
    const all = parsed(await apps(['list', '--all', '--json'])).items?.map((app) => String(app.clientId)) ?? [];
    expect(all).toEqual([...all].sort());
    expect(all).toEqual(expect.arrayContaining(['cli-spa', 'cli-web', DAEMON.clientId]));
    const first = parsed(await apps(['list', '--limit', '1', '--json']));
    expect(first.items?.map((app) => app.clientId)).toEqual(all.slice(0, 1));
    const second = parsed(await apps(['list', '--limit', '1', '--cursor', String(first.nextCursor), '--type', 'spa', '--json']));
    expect(second.items?.map((app) => app.clientId)).toEqual(all.slice(1).filter((id) => id.endsWith('-spa')).slice(0, 1));
    const table = await apps(['list', '--limit', '2']);
    expect(table.stdout).toMatch(/^CLIENT_ID\s+NAME\s+TYPE/);
    expect(table.stderr).toContain('--cursor ');
  });

  it('reads and changes an application with its ETag, and refuses a stale ETag (412)', async () => {
    const read = parsed(await apps(['get', 'cli-web', '--json']));
    expect(read).not.toHaveProperty('clientSecret');
    expect(read.etag).toBe(created.etag);
    // The changes come from standard input (`--data -`), with the ETag just read.
    const updated = parsed(await apps(['update', 'cli-web', '--data', '-', '--if-match', String(read.etag), '--json'], '{"name":"CLI web"}'));
    expect(updated.name).toBe('CLI web');
    expect(updated.etag).not.toBe(read.etag);
    const stale = await apps(['update', 'cli-web', '--data', '{"name":"Lost update"}', '--if-match', String(read.etag)]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('changed since it was read');
    expect(parsed(await apps(['get', 'cli-web', '--json'])).name).toBe('CLI web');
  });

  it('refuses invalid input (400, with the field path) and a duplicate (409), changing nothing', async () => {
    expect((await apps(['list', '--cursor', 'not a cursor'])).stderr).toMatch(/^tessera: cursor is not one this API returned\n/);
    const invalid = await apps(['create', '--data', web('cli-bad', 'https://bad.example.com/cb#fragment')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^tessera: .*\/redirectUris\/0 .*fragment/);
    expect(invalid.stdout).toBe('');
    expect((await apps(['get', 'cli-bad'])).stderr).toBe('tessera: No application "cli-bad"\n');
    expect((await apps(['create', '--data', '{not json'])).code).toBe(2);

    const duplicate = await apps(['create', '--data', web('cli-web')]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^tessera: An? application with clientId "cli-web" already exists\n/);
  });

  it('deletes with --json and records every change in the audit trail with the actor cli:{os user}', async () => {
    expect(parsed(await apps(['delete', 'cli-spa', '--json']))).toEqual({ deleted: true, clientId: 'cli-spa' });
    expect((await apps(['delete', 'cli-web', '--if-match', '"not-the-etag"'])).stderr).toContain('changed since it was read');

    const events = parsed(await server.cli(['audit-events', 'list', '--tenant', TENANT, '--actor', ACTOR, '--all', '--json'])).items ?? [];
    expect(events.map((event) => `${event.type} ${event.subject}`)).toEqual(expect.arrayContaining([
      'application.created cli-web', 'application.updated cli-web', 'application.deleted cli-spa',
    ]));
    expect(events.some((event) => event.subject === 'cli-bad')).toBe(false);
    const update = events.find((event) => event.type === 'application.updated') as { data: { before: { name: string }; after: { name: string } } };
    expect(update.data).toMatchObject({ before: { name: 'cli-web' }, after: { name: 'CLI web' } });
  });

  it('application-secrets create prints the value once, and it works at the token endpoint after a restart', async () => {
    await server.stop();
    const secrets = (args: string[]) => server.cli(['application-secrets', ...args, '--tenant', TENANT, '--client-id', DAEMON.clientId]);
    expect((await server.cli(['application-secrets', 'list', '--tenant', TENANT])).code).toBe(2); // --client-id is required
    const created = await secrets(['create', '--data', '{"description":"from the cli","expiresInDays":30}']);
    expect(created.code, created.stderr).toBe(0);
    const value = /^value: (tsr_[\w-]{43})$/m.exec(created.stdout)?.[1] ?? '';
    expect(value).not.toBe('');
    expect(created.stderr).toContain('value: shown only this once');
    const listed = await secrets(['list', '--json']);
    expect(listed.stdout).not.toContain(value);
    expect(parsed(listed).items?.map((secret) => secret.description)).toContain('from the cli');
    expect((await server.cli(['application-secrets', 'create', '--tenant', TENANT, '--client-id', 'nobody', '--data', '{}'])).stderr)
      .toBe('tessera: No application "nobody"\n');

    await server.restart();
    const token = await clientCredentials(DAEMON.clientId, value);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.access_token).toEqual(expect.any(String));
  });

  it('tenants create keeps its flags and output, takes --json, and tenants gains get and update', async () => {
    await server.stop();
    const created = parsed(await server.cli(['tenants', 'create', 'cli-acme', '--name', 'CLI Acme', '--json']));
    expect(created).toMatchObject({ id: 'cli-acme', name: 'CLI Acme', issuer: server.issuer('cli-acme') });
    expect((await server.cli(['tenants', 'create', 'cli-acme'])).stderr).toBe('tessera: tenant "cli-acme" already exists\n');
    expect((await server.cli(['tenants', 'list'])).stdout).toMatch(/\ncli-acme\s+CLI Acme\s+\S+\/cli-acme\s+\d+\n/);
    const tenant = parsed(await server.cli(['tenants', 'get', 'cli-acme', '--json']));
    expect(parsed(await server.cli(['tenants', 'update', 'cli-acme', '--data', '{"name":"Renamed"}', '--if-match', String(tenant.etag), '--json'])).name).toBe('Renamed');
  });

  it('users list keeps its output, takes --json, and users gains get', async () => {
    const users = parsed(await server.cli(['users', 'list', '--tenant', TENANT, '--json']));
    expect(users.nextCursor).toBeNull();
    expect(users.items?.map((user) => user.username)).toEqual(expect.arrayContaining([ALICE.username, BOB.username]));
    expect(JSON.stringify(users)).not.toMatch(/passwordHash|\$argon2/);
    expect((await server.cli(['users', 'list', '--tenant', TENANT])).stdout).toMatch(/\s+bob\s+bob@example\.com\s+yes\s+Bob Example\s+yes\s+no\n/);
    const bob = users.items?.find((user) => user.username === BOB.username);
    expect(parsed(await server.cli(['users', 'get', '--tenant', TENANT, String(bob?.id), '--json'])).email).toBe('bob@example.com');
  });
});
