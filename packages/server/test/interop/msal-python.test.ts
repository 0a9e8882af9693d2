import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON, protocolConfig, TENANT, WEATHER_API } from '../support/fixtures.js';
import { findFreePort, startTestServer, type TestServer } from '../support/index.js';
import { close, createPemCertificate, createTlsProxy, listen, type PemCertificate } from '../support/tls.js';

/**
 * The proof behind docs/entra-compatibility.md: a daemon written for Entra ID with MSAL Python
 * (Debian's python3-msal, run by /usr/bin/python3) gets tokens from Tessera with only its
 * authority changed — client credentials with a secret, and with a certificate (MSAL Python
 * 1.21 names it by SHA-1 `x5t`) — and calls the weather API with them. MSAL insists on https
 * authorities, so the server runs behind a TLS proxy, as in production, with
 * TESSERA_PUBLIC_URL the proxy's https URL and MSAL trusting the proxy's test certificate.
 */

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./msal_client.py', import.meta.url));
const inCi = Boolean(process.env.CI) && process.env.CI !== '0' && process.env.CI !== 'false';

/** Whether Debian's Python has MSAL, and which version. */
function probeMsal(): { ok: true; version: string } | { ok: false; reason: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import msal; print(msal.__version__)'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return { ok: false, reason: `${PYTHON} could not run (${probe.error.message})` };
  if (probe.status !== 0) return { ok: false, reason: `${PYTHON} has no msal module (apt-get install python3-msal)` };
  return { ok: true, version: probe.stdout.trim() };
}

const msal = probeMsal();
const skip = !msal.ok && !inCi;
if (skip && !msal.ok) {
  console.warn(`\nNOTICE: the MSAL Python interop test was SKIPPED: ${msal.reason}. CI (CI=1) runs it and fails without it.\n`);
}

// --- Test servers -----------------------------------------------------------------------------

/**
 * The weather API: a bearer-token resource server (RFC 6750) that accepts only RFC 9068 access
 * tokens from the tenant, for `api://weather`, carrying the `app.weather` app role.
 */
function createWeatherApi(verify: (token: string) => Promise<JWTPayload>): Server {
  return createHttpServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '');
    if (req.url !== '/forecast' || !match?.[1]) return send(401, { error: 'invalid_request' }, { 'www-authenticate': 'Bearer' });
    verify(match[1]).then((claims) => {
      const roles = Array.isArray(claims.roles) ? claims.roles : [];
      // RFC 6750 §3.1: a valid token without the needed permission is insufficient_scope, 403.
      if (!roles.includes('app.weather')) return send(403, { error: 'insufficient_scope' }, { 'www-authenticate': 'Bearer error="insufficient_scope"' });
      send(200, { forecast: 'sunny', caller: claims.azp, roles });
    }, () => send(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' }));
  });
}

// --- Running MSAL Python ----------------------------------------------------------------------

interface MsalRun {
  msal_version?: string;
  token?: { access_token: string; token_type: string; expires_in: number };
  api?: { status: number; body: Record<string, unknown> };
  error?: string;
  error_description?: string;
}

/** The environment for Python: no outbound proxy may intercept 127.0.0.1. */
function pythonEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE']) delete env[key];
  return env;
}

async function runMsal(input: Record<string, unknown>): Promise<MsalRun> {
  const child = spawn(PYTHON, [SCRIPT], { env: pythonEnv(), stdio: ['pipe', 'pipe', 'pipe'], timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  child.stdin.end(JSON.stringify(input));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  let result: MsalRun;
  try {
    result = JSON.parse(stdout) as MsalRun;
  } catch {
    throw new Error(`msal_client.py exited ${code} without a JSON result:\n${stderr.slice(-4000)}`);
  }
  // The token itself never goes into a failure message.
  if (code !== 0 || result.error) throw new Error(`MSAL Python failed (exit ${code}): ${result.error}: ${result.error_description}\n${stderr.slice(-4000)}`);
  return result;
}

// --- The proof --------------------------------------------------------------------------------

describe.skipIf(skip)('MSAL Python (python3-msal) against a Tessera tenant', () => {
  let server: TestServer;
  let proxy: Server;
  let api: Server;
  let workDir: string;
  let issuer: string;
  let apiUrl: string;
  let clientCert: PemCertificate;
  let caBundle: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  const seen: string[] = [];

  beforeAll(async () => {
    if (!msal.ok) throw new Error(`CI is set and ${msal.reason}: .ci/run installs python3-msal; the Entra compatibility proof cannot run without it.`);
    const [tls, client] = await Promise.all([createPemCertificate('127.0.0.1', { tlsServer: true }), createPemCertificate('weather-daemon-msal')]);
    clientCert = client;
    workDir = await mkdtemp(path.join(tmpdir(), 'tessera-msal-'));
    caBundle = path.join(workDir, 'ca.pem');
    await writeFile(caBundle, tls.certificate);

    const proxyPort = await findFreePort();
    server = await startTestServer({
      config: protocolConfig({ daemonCertificates: [client.certificate] }),
      env: { TESSERA_PUBLIC_URL: `https://127.0.0.1:${proxyPort}` },
    });
    proxy = createTlsProxy(tls, () => server.port, (req) => seen.push(`${req.method} ${new URL(req.url ?? '/', 'https://proxy').pathname}`));
    await listen(proxy, proxyPort);
    issuer = `https://127.0.0.1:${proxyPort}/${TENANT}`;
    // The API reads the keys straight from the server; the issuer it expects is the public one.
    jwks = createRemoteJWKSet(new URL(`${server.url}/${TENANT}/jwks`));
    api = createWeatherApi(async (token) => (await jwtVerify(token, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' })).payload);
    apiUrl = `http://127.0.0.1:${await listen(api)}/forecast`;
  });
  afterAll(async () => {
    await Promise.all([close(proxy), close(api)]);
    await server?.dispose();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  /** Every claim the daemon's token must carry, verified against the tenant's JWKS. */
  async function expectWeatherToken(token: string): Promise<void> {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer, audience: WEATHER_API, typ: 'at+jwt' });
    expect(protectedHeader.typ).toBe('at+jwt');
    expect(payload).toMatchObject({
      iss: issuer, aud: WEATHER_API, sub: DAEMON.clientId, client_id: DAEMON.clientId, azp: DAEMON.clientId,
      tid: TENANT, roles: ['app.weather'],
    });
    expect(payload).not.toHaveProperty('scope');
  }

  const base = () => ({ authority: issuer, client_id: DAEMON.clientId, scopes: [`${WEATHER_API}/.default`], ca_bundle: caBundle, api_url: apiUrl });

  it('acquires a token with a client secret, which the weather API accepts', async () => {
    const run = await runMsal({ ...base(), credential: { secret: DAEMON.secret } });
    expect(run.msal_version).toBe(msal.ok ? msal.version : undefined);
    expect(run.token?.token_type.toLowerCase()).toBe('bearer');
    await expectWeatherToken(run.token!.access_token);
    expect(run.api).toEqual({ status: 200, body: { forecast: 'sunny', caller: DAEMON.clientId, roles: ['app.weather'] } });
    // MSAL read discovery at the Entra v2.0 path and then used the endpoints it names.
    expect(seen).toContain(`GET /${TENANT}/v2.0/.well-known/openid-configuration`);
    expect(seen).toContain(`POST /${TENANT}/token`);
    expect(seen.filter((line) => line.includes('/oauth2/'))).toEqual([]);
  });

  it('acquires a token with a certificate (RS256 assertion, SHA-1 x5t), which the weather API accepts', async () => {
    const run = await runMsal({ ...base(), credential: { private_key: clientCert.privateKey, thumbprint: clientCert.sha1Hex } });
    await expectWeatherToken(run.token!.access_token);
    expect(run.api?.status).toBe(200);
    expect(run.api?.body).toMatchObject({ caller: DAEMON.clientId });
  });

  it('gets the protocol error, not a token, with a wrong secret', async () => {
    await expect(runMsal({ ...base(), credential: { secret: 'not-the-secret' } })).rejects.toThrow(/invalid_client/);
  });
});
