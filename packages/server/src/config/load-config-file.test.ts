import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError, loadConfigFile, parseConfigText } from './load-config-file.js';

const demoFile = path.resolve(import.meta.dirname, '../../demo/tessera.yaml');

function problemsOf(text: string): string[] {
  try {
    parseConfigText(text, 'tessera.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigFileError);
    return (error as ConfigFileError).message.split('\n');
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfigFile', () => {
  it('loads the demo configuration', async () => {
    const config = await loadConfigFile(demoFile);
    const demo = config.tenants[0];
    expect(demo?.id).toBe('demo');
    expect(demo?.applications.map((app) => app.clientId)).toEqual(['weather-daemon', 'weather-web', 'weather-spa', 'weather-cli']);
    expect(demo?.users[0]?.email).toBe('alice@example.com');
  });

  it('names a missing file', async () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'tessera-config-')), 'nope.yaml');
    await expect(loadConfigFile(missing)).rejects.toThrow(`${missing}: cannot read the file: file not found`);
  });

  it('reports invalid YAML with the file and line', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-config-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'tenants:\n  - id: demo\n    name: [unclosed\n');
    return expect(loadConfigFile(path.join(dir, 'bad.yaml'))).rejects.toThrow(/bad\.yaml: invalid YAML: .*\(line \d+\)/);
  });
});

describe('parseConfigText', () => {
  it('accepts scopes and roles as names or objects', () => {
    const config = parseConfigText(`
tenants:
  - id: acme
    apis:
      - identifier: https://api.acme.test
        name: Acme
        scopes: [read, { name: write, description: Write things }]
        appRoles: [{ name: app.all }]
`, 'x.yaml');
    expect(config.tenants[0]?.apis[0]?.scopes).toEqual([{ name: 'read' }, { name: 'write', description: 'Write things' }]);
  });

  it('lists every problem with its path, not only the first', () => {
    const problems = problemsOf(`
tenants:
  - id: Demo_Tenant
    apis:
      - identifier: weather
        name: W
        scopes: [ok, .default, "two words"]
    applications:
      - clientId: x
        type: spa
        secrets: [{ value: too-short }]
        redirectUris: [http://example.com/cb, https://app.test/cb#frag]
        permissions: [{ api: api://missing, scopes: [ok] }]
      - clientId: worker
        type: daemon
        redirectUris: [https://worker.test/cb]
        certificates: [{ pem: not a certificate }, { jwk: { kty: oct, k: c2VjcmV0 } }]
      - clientId: worker
        type: desktop
    users:
      - name: Nobody
      - username: bob
        password: long enough password
        passwordHash: $2b$10$abcdefghijklmnopqrstuv
      - username: BOB
`);
    const expected = [
      'tenants[0].id: must be 2–63 lowercase',
      'tenants[0].apis[0].identifier: must be an absolute URI',
      'tenants[0].apis[0].scopes[1].name: ".default" is reserved',
      'tenants[0].apis[0].scopes[2].name: must be 1–128',
      'tenants[0].applications[0].clientId: must be 2–128',
      'tenants[0].applications[0].secrets[0].value: must be at least 16 characters',
      'tenants[0].applications[0].redirectUris[0]: http:// is allowed only on localhost',
      'tenants[0].applications[0].redirectUris[1]: must not contain a fragment',
      'tenants[0].applications[1].redirectUris[0]: daemon applications have no redirect URIs',
      'tenants[0].applications[1].certificates[0].pem: is not a PEM-encoded X.509 certificate',
      'tenants[0].applications[1].certificates[1].jwk: must be a public key',
      'tenants[0].applications[2].type: must be one of web, spa, native, daemon',
      'tenants[0].users[0]: a user needs a username or an email',
      'tenants[0].users[1].passwordHash: is not a password hash Tessera verifies',
      'tenants[0].users[1].passwordHash: give password or passwordHash, not both',
    ];
    for (const text of expected) expect(problems.some((line) => line.startsWith(`tessera.yaml: ${text}`)), text).toBe(true);
    expect(problems).toContain('tessera.yaml: tenants[0].applications[0].secrets: spa applications are public clients (OAuth 2.1 §2.1): they cannot keep a credential (line 11)');
  });

  it('checks references and uniqueness within a tenant', () => {
    const problems = problemsOf(`
tenants:
  - id: acme
    apis:
      - { identifier: api://orders, name: Orders, scopes: [orders.read], appRoles: [orders.sync] }
      - { identifier: api://orders, name: Orders again }
    applications:
      - { clientId: web, type: web, redirectUris: [https://web.test/cb], permissions: [{ api: api://orders, scopes: [orders.write] }] }
      - { clientId: sync, type: daemon, appRoles: [{ api: api://orders, roles: [orders.read] }] }
      - { clientId: web, type: web }
    users:
      - { username: ann, email: ann@acme.test }
      - { email: ANN@acme.test, roles: [{ api: api://nowhere, roles: [admin] }] }
  - id: acme
`);
    const expected = [
      'tenants[0].apis[1].identifier: duplicate API identifier "api://orders"',
      'tenants[0].applications[2].clientId: duplicate clientId "web"',
      'tenants[0].users[1].email: duplicate username or email "ann@acme.test"',
      'tenants[0].applications[0].permissions[0].scopes[0]: API "api://orders" defines no scope "orders.write"',
      'tenants[0].applications[1].appRoles[0].roles[0]: API "api://orders" defines no app role "orders.read"',
      'tenants[0].users[1].roles[0].api: no API "api://nowhere" in tenant "acme"',
      'tenants[1].id: duplicate tenant id "acme"',
    ];
    for (const text of expected) expect(problems.some((line) => line.startsWith(`tessera.yaml: ${text}`)), text).toBe(true);
  });

  it('refuses reserved tenant ids, unknown fields and credentials on public clients', () => {
    const problems = problemsOf(`
tenants:
  - id: console
    applications:
      - clientId: mobile
        type: native
        redirectUri: [com.example.app:/cb]
        redirectUris: [com.example.app:/cb, http://127.0.0.1:8400/cb, myapp:/cb]
        certificates: [{ jwk: { kty: EC, crv: P-256, x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" } }]
`);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^tessera\.yaml: tenants\[0\]\.id: "console" is reserved/),
      expect.stringMatching(/^tessera\.yaml: tenants\[0\]\.applications\[0\]\.redirectUri: unknown field/),
      expect.stringMatching(/^tessera\.yaml: tenants\[0\]\.applications\[0\]\.redirectUris\[2\]: must be https:\/\/, http:\/\/ on loopback, or a reverse-DNS/),
      expect.stringMatching(/^tessera\.yaml: tenants\[0\]\.applications\[0\]\.certificates: native applications are public clients/),
    ]));
    expect(problems.some((line) => line.includes('redirectUris[0]') || line.includes('redirectUris[1]'))).toBe(false);
  });

  it('says what is missing and which type was expected', () => {
    expect(problemsOf('- demo\n')).toEqual(['tessera.yaml: must be a mapping, not a list (line 1)']);
    const problems = problemsOf('tenants:\n  - id: demo\n    apis:\n      - scopes: read\n');
    expect(problems).toContain('tessera.yaml: tenants[0].apis[0].identifier: is required (line 4)');
    expect(problems).toContain('tessera.yaml: tenants[0].apis[0].scopes: must be a list, not a string (line 4)');
  });

  it('keeps redirect URIs as exact strings', () => {
    const config = parseConfigText(`
tenants:
  - id: acme
    applications:
      - { clientId: web, type: web, redirectUris: ["https://Web.Test:443/a/../cb?x=1"] }
`, 'x.yaml');
    expect(config.tenants[0]?.applications[0]?.redirectUris).toEqual(['https://Web.Test:443/a/../cb?x=1']);
  });

  it('bounds lists and URI lengths, naming the field (huge arrays are refused, not stored)', () => {
    const uris = Array.from({ length: 257 }, (_, i) => `"https://web.test/cb${i}"`).join(', ');
    const scopes = Array.from({ length: 201 }, (_, i) => `s${i}`).join(', ');
    const problems = problemsOf(`
tenants:
  - id: acme
    apis:
      - { identifier: "api://big", name: Big, scopes: [${scopes}] }
    applications:
      - { clientId: web, type: web, redirectUris: [${uris}] }
      - { clientId: long, type: web, redirectUris: ["https://web.test/${'x'.repeat(2100)}"] }
`);
    expect(problems.some((p) => p.includes('tenants[0].apis[0].scopes: must have at most 200 entries'))).toBe(true);
    expect(problems.some((p) => p.includes('tenants[0].applications[0].redirectUris: must have at most 256 entries'))).toBe(true);
    expect(problems.some((p) => p.includes('tenants[0].applications[1].redirectUris[0]:'))).toBe(true);
  });
});
