import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { authorizeThroughPages, jwtClaims } from '../../../packages/server/test/support/fixtures.js';
import {
  basicAuth, createHttpClient, findFreePort, form, startTestServer, type TestServer,
} from '../../../packages/server/test/support/index.js';
import { createWeatherWeb } from '../../weather-web/src/weather-web.js';
import { createWeatherApi } from '../src/weather-api.js';
import { approveDeviceOnPhone } from '../../../packages/server/test/support/device-phone.js';

/**
 * The weather examples end to end against a real Tessera server running the demo tenant's own
 * configuration (packages/server/demo/tessera.yaml): the API and the web app (in this process),
 * the daemon and the CLI (spawned exactly as a user runs them, settings through the environment).
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DEMO_CONFIG = path.join(ROOT, 'packages/server/demo/tessera.yaml');
const BOOTSTRAP_SECRET = 'examples-bootstrap-secret-0123456789abcdef';
/** A test-only daemon whose app role on api://weather is not `app.weather`. */
const STATION = { clientId: 'weather-station', secret: 'station-secret-0123456789abcdef', role: 'app.weather.ingest' };

let server: TestServer;
let issuer: string;
let api: Server;
let apiUrl: string;
let workDir: string;
let web: Server;
let webUrl: string;

/** The demo configuration with weather-web on this test's port, plus the test-only station daemon and its role. */
async function testConfig(): Promise<string> {
  const config = parse(await readFile(DEMO_CONFIG, 'utf8'));
  const demo = config.tenants[0];
  const webApp = demo.applications.find((app: { clientId: string }) => app.clientId === 'weather-web');
  webApp.redirectUris = [`${webUrl}/signin-oidc`];
  webApp.postLogoutRedirectUris = [`${webUrl}/`];
  demo.apis[0].appRoles.push({ name: STATION.role, description: 'Send observations (test only)' });
  demo.applications.push({
    clientId: STATION.clientId, type: 'daemon', secrets: [{ value: STATION.secret }], appRoles: [{ api: 'api://weather', roles: [STATION.role] }],
  });
  return stringify(config);
}

function listen(app: ReturnType<typeof createWeatherApi>, port = 0): Promise<Server> {
  return new Promise((resolve) => { const s = app.listen(port, '127.0.0.1', () => resolve(s)); });
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tessera-examples-'));
  const webPort = await findFreePort();
  webUrl = `http://127.0.0.1:${webPort}`;
  server = await startTestServer({ config: await testConfig(), env: { TESSERA_BOOTSTRAP_SECRET: BOOTSTRAP_SECRET } });
  issuer = server.issuer('demo');
  api = await listen(createWeatherApi({ issuer, audience: 'api://weather' }));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  web = await listen(createWeatherWeb({
    issuer, clientId: 'weather-web', clientSecret: 'dev-only-web-secret-0123456789abcdef', baseUrl: webUrl, apiUrl,
    cookieSecret: 'examples-test-cookie-secret-0123456789abcdef', weatherScope: 'api://weather/weather.read',
  }), webPort);
});
afterAll(async () => {
  await new Promise((resolve) => api?.close(resolve));
  await new Promise((resolve) => web?.close(resolve));
  await server?.dispose();
  await rm(workDir, { recursive: true, force: true });
});

interface Run { code: number | null; stdout: string; stderr: string }

/** Runs an example's main.ts with tsx, as `npx tsx examples/…/src/main.ts` does; `onOutput` sees stdout as it grows. */
function runExample(name: string, env: Record<string, string>, onOutput?: (stdout: string) => void): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'WEATHER_API_URL', 'WEATHER_SCOPES', 'WEATHER_DAEMON_CERT', 'WEATHER_DAEMON_KEY'].includes(key)));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'examples', name, 'src/main.ts')], {
    cwd: ROOT, env: { ...clean, ISSUER: issuer, WEATHER_API_URL: apiUrl, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { run.stdout += chunk; onOutput?.(run.stdout); });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { run.stderr += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve) => child.on('close', (code) => { clearTimeout(timer); run.code = code; resolve(run); }));
}

async function clientCredentialsToken(clientId: string, secret: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST', headers: { authorization: basicAuth(clientId, secret) },
    body: form({ grant_type: 'client_credentials', scope: 'api://weather/.default' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('weather-daemon', () => {
  it('gets a token with the demo secret and prints the forecast', async () => {
    const run = await runExample('weather-daemon', {});
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Signed in as weather-daemon with a client secret.');
    expect(run.stdout).toMatch(/Forecast for Springfield:\n\s+Monday\s+Sunny\s+11–21 °C/);
  });

  it('gets a token with a certificate made by the documented openssl command and registered over the management API', async () => {
    const key = path.join(workDir, 'daemon.key');
    const crt = path.join(workDir, 'daemon.crt');
    // The command in examples/weather-daemon/README.md.
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-out', crt, '-days', '365', '-subj', '/CN=weather-daemon']);
    const management = await fetch(`${server.url}/admin/token`, {
      method: 'POST', headers: { authorization: basicAuth('tessera-admin', BOOTSTRAP_SECRET) },
      body: form({ grant_type: 'client_credentials', scope: 'tessera:management/.default' }),
    });
    const { access_token: token } = (await management.json()) as { access_token: string };
    const registered = await fetch(`${server.url}/api/v1/tenants/demo/applications/weather-daemon/certificates`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pem: await readFile(crt, 'utf8') }),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const run = await runExample('weather-daemon', { WEATHER_DAEMON_CERT: crt, WEATHER_DAEMON_KEY: key, CLIENT_SECRET: 'not-used-with-a-certificate' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Signed in as weather-daemon with a certificate.');
    expect(run.stdout).toContain('Forecast for Springfield:');
  });

  it('is refused with 403 naming the missing role when its app has another role', async () => {
    const run = await runExample('weather-daemon', { CLIENT_ID: STATION.clientId, CLIENT_SECRET: STATION.secret });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('The Weather API refused: 403 insufficient_scope: token needs one of: scope weather.read; role app.weather');
  });
});

describe('weather-api', () => {
  it('answers 401 with a bare Bearer challenge when there is no token (RFC 6750 §3.1)', async () => {
    const response = await fetch(`${apiUrl}/weather`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 invalid_token for an expired token (the guard’s clock past exp and the 60 s skew)', async () => {
    const token = await clientCredentialsToken('weather-daemon', 'dev-only-secret-0123456789abcdef');
    const exp = jwtClaims(token).exp as number;
    const later = await listen(createWeatherApi({ issuer, audience: 'api://weather', clock: () => (exp + 61) * 1000 }));
    try {
      const response = await fetch(`http://127.0.0.1:${(later.address() as AddressInfo).port}/weather`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="token expired/);
      expect(await response.json()).toMatchObject({ error: 'invalid_token' });
      // The same token on the API with the real clock is fine.
      expect((await fetch(`${apiUrl}/weather`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await new Promise((resolve) => later.close(resolve));
    }
  });

  it('answers 403 naming weather.write when the daemon posts an observation', async () => {
    const token = await clientCredentialsToken('weather-daemon', 'dev-only-secret-0123456789abcdef');
    const response = await fetch(`${apiUrl}/weather`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"temperatureC":20}',
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", error_description="token lacks scope weather.write", scope="weather.write"');
  });
});

describe('weather-cli', () => {
  it('signs alice in with a device code approved on a phone, then prints the forecast', async () => {
    const phone = createHttpClient();
    let approving: Promise<void> | undefined;
    const run = await runExample('weather-cli', {}, (stdout) => {
      const shown = /open (\S+) and enter the code ([A-Z]{4}-[A-Z]{4})/.exec(stdout);
      if (shown && !approving) approving = approveDeviceOnPhone(phone, shown[1]!, shown[2]!);
    });
    await approving;
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Signed in as alice.');
    expect(run.stdout).toContain('Forecast for Springfield: Monday sunny, Tuesday light rain, Wednesday windy.');
  });
});

describe('weather-web', () => {
  it('signs alice in through the real pages and shows her the forecast from the API; sign-out ends the session', async () => {
    const browser = createHttpClient();
    const home = await (await browser.fetch(`${webUrl}/`)).text();
    expect(home).toContain('href="/signin?returnTo=/weather"');
    const walk = await authorizeThroughPages(browser, `${webUrl}/signin?returnTo=/weather`, { redirectUri: `${webUrl}/signin-oidc` });
    expect(walk.pages).toEqual(['login', 'consent']);
    const signedIn = await browser.follow(walk.callback);
    expect(signedIn.url).toBe(`${webUrl}/weather`);
    const html = await signedIn.response.text();
    expect(html).toContain('<h1>Forecast for Springfield</h1><p>Signed in as Alice Example.</p>');
    expect(html).toContain('<li>Monday: Sunny, 11–21 °C</li>');

    const out = await browser.fetch(`${webUrl}/signout`, { method: 'POST', headers: { origin: webUrl } });
    const end = new URL(out.headers.get('location')!);
    expect(`${end.origin}${end.pathname}`).toBe(`${issuer}/session/end`);
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${webUrl}/`);
    expect((await browser.fetch(`${webUrl}/weather`)).headers.get('location')).toBe('/signin?returnTo=%2Fweather');
  });
});
