import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateClientSecret, maskSecret } from '../../src/security/client-secrets.js';
import { DAEMON, TENANT, WEATHER_API, protocolConfig } from '../support/fixtures.js';
import { basicAuth, form, startTestServer, type TestServer } from '../support/index.js';

const DAY = 86_400_000;
/** A secret of weather-daemon that expired yesterday, beside its current one. */
const EXPIRED = 'expired-daemon-secret-0123456789abcdef';

/** The fixture configuration with one more, expired, secret on weather-daemon. */
function configWithExpiredSecret(): string {
  const config = parse(protocolConfig()) as { tenants: { applications: { clientId: string; secrets?: object[] }[] }[] };
  const daemon = config.tenants[0]?.applications.find((app) => app.clientId === DAEMON.clientId);
  daemon?.secrets?.push({ value: EXPIRED, description: 'rotated out', expiresAt: new Date(Date.now() - DAY).toISOString() });
  return stringify(config);
}

let server: TestServer;
let tree: string;

beforeAll(async () => {
  server = await startTestServer({ config: configWithExpiredSecret() });
  tree = mkdtempSync(path.join(tmpdir(), 'tessera-scan-cli-'));
});
afterAll(async () => {
  await server?.dispose();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

async function clientCredentials(secret: string, method: 'basic' | 'post' = 'basic') {
  const fields = { grant_type: 'client_credentials', scope: `${WEATHER_API}/.default` };
  const response = await fetch(`${server.issuer(TENANT)}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(method === 'basic' ? { authorization: basicAuth(DAEMON.clientId, secret) } : {}),
    },
    body: form(method === 'post' ? { ...fields, client_id: DAEMON.clientId, client_secret: secret } : fields),
  });
  return { status: response.status, body: await response.json() as Record<string, unknown> };
}

describe('secret expiry at the token endpoint', () => {
  it.each(['basic', 'post'] as const)('refuses an expired secret with 401 invalid_client (client_secret_%s)', async (method) => {
    const expired = await clientCredentials(EXPIRED, method);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('invalid_client');
    expect(expired.body).not.toHaveProperty('access_token');
    expect((await clientCredentials(DAEMON.secret, method)).status).toBe(200);
  });

  it('a generated secret has a valid checksum, expires after 182 days by default and works until then', async () => {
    await server.stop(); // the embedded database admits one process at a time
    const added = await server.cli(['apps', 'add-secret', '--tenant', TENANT, DAEMON.clientId, '--description', 'ci']);
    expect(added.code, added.stderr).toBe(0);
    const secret = added.stdout.trim();
    const check = await server.cli(['secrets', 'check', '-'], `${secret}\n`);
    expect(check).toEqual({ code: 0, stdout: `${maskSecret(secret)}: a well-formed Tessera client secret (checksum valid)\n`, stderr: '' });
    const row = await server.db().selectFrom('application_secrets').select('expires_at')
      .where('description', '=', 'ci').executeTakeFirstOrThrow();
    const days = (new Date(row.expires_at as Date).getTime() - Date.now()) / DAY;
    expect(days).toBeGreaterThan(181.9);
    expect(days).toBeLessThanOrEqual(182);
    await server.restart();
    expect((await clientCredentials(secret)).status).toBe(200);
  });

  it('rotates: two secrets work side by side until one is removed, which stops it at once', async () => {
    await server.stop();
    const added = await server.cli(['apps', 'add-secret', '--tenant', TENANT, DAEMON.clientId, '--description', 'rotation']);
    const fresh = added.stdout.trim();
    const listed = await server.cli(['apps', 'secrets', '--tenant', TENANT, DAEMON.clientId]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('rotation');
    expect(listed.stdout).not.toContain(fresh);
    // The secret being retired is the generated one (the configuration file would re-add its own at each start).
    const retired = await server.db().selectFrom('application_secrets').select('id')
      .where('description', '=', 'rotation').executeTakeFirstOrThrow();
    await server.restart();
    expect((await clientCredentials(DAEMON.secret)).status).toBe(200);
    expect((await clientCredentials(fresh)).status).toBe(200);
    await server.stop();
    const removed = await server.cli(['apps', 'remove-secret', '--tenant', TENANT, DAEMON.clientId, retired.id]);
    expect(removed.code, removed.stderr).toBe(0);
    const again = await server.cli(['apps', 'remove-secret', '--tenant', TENANT, DAEMON.clientId, retired.id]);
    expect(again.code).not.toBe(0);
    await server.restart();
    expect((await clientCredentials(fresh)).status).toBe(401);
    expect((await clientCredentials(DAEMON.secret)).status).toBe(200);
  });
});

describe('tessera secrets check', () => {
  it('exits 1 without echoing the input when the checksum or format is wrong', async () => {
    const secret = generateClientSecret();
    const typo = `${secret.slice(0, 20)}${secret[20] === 'A' ? 'B' : 'A'}${secret.slice(21)}`;
    const run = await server.cli(['secrets', 'check', '-'], typo);
    expect(run).toEqual({ code: 1, stdout: '', stderr: 'tessera: not a Tessera client secret: the checksum does not match (mistyped, truncated or made up)\n' });
    const legacy = await server.cli(['secrets', 'check', DAEMON.secret]);
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).not.toContain(DAEMON.secret);
  });
});

describe('tessera secrets scan', () => {
  it('reports file:line:column and the masked secret, exits 1; --json; 0 on a clean tree', async () => {
    const secret = generateClientSecret();
    mkdirSync(path.join(tree, 'deploy'));
    mkdirSync(path.join(tree, 'node_modules'));
    writeFileSync(path.join(tree, 'deploy', 'app.env'), `# settings\nOIDC_CLIENT_SECRET=${secret}\n`);
    writeFileSync(path.join(tree, 'node_modules', 'vendored.js'), `x = "${secret}"`);
    writeFileSync(path.join(tree, 'notes.txt'), `lookalike: tsr_${'a'.repeat(43)}\n`);

    const text = await server.cli(['secrets', 'scan', tree]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe(`deploy/app.env:2:20: ${maskSecret(secret)}\n`);
    expect(text.stderr).toContain('Scanned 2 files; skipped: 1 skipped directory');
    expect(text.stderr).toContain('tessera: found 1 Tessera client secret\n');
    expect(text.stdout + text.stderr).not.toContain(secret);

    const json = await server.cli(['secrets', 'scan', tree, '--json', '--include-all']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { findings: { file: string }[]; filesScanned: number };
    expect(report.findings.map((finding) => finding.file)).toEqual(['deploy/app.env', 'node_modules/vendored.js']);
    expect(report.filesScanned).toBe(3);

    const clean = await server.cli(['secrets', 'scan', path.join(tree, 'notes.txt')]);
    expect(clean).toMatchObject({ code: 0, stdout: '' });
    expect((await server.cli(['secrets', 'scan', path.join(tree, 'missing')])).code).toBe(2);
  });
});
