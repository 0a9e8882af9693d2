import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Kysely } from 'kysely';
import * as oidc from 'openid-client';
import { stringify } from 'yaml';
import type { Database } from '../../src/db/schema.js';
import type { HttpClient } from './http.js';
import type { TestServer } from './test-server.js';

/**
 * Shared fixtures for the protocol and browser tests: one declarative configuration (two APIs,
 * confidential and public applications, two users), self-signed client certificates, and
 * helpers that walk the real sign-in and consent pages.
 */

export const TENANT = 'demo';
export const WEATHER_API = 'api://weather';
/** Signs its tokens with RS256 and fixes their lifetime, to show per-API settings apply. */
export const REPORTS_API = 'api://reports';
export const REPORTS_TOKEN_LIFETIME = 600;

export const DAEMON = { clientId: 'weather-daemon', secret: 'daemon-secret-0123456789abcdef' } as const;
/** A daemon with an app role on the reports API only. */
export const REPORTS_DAEMON = { clientId: 'reports-daemon', secret: 'reports-secret-0123456789abcdef' } as const;
export const WEB = { clientId: 'weather-web', secret: 'web-secret-0123456789abcdef', redirectUri: 'http://127.0.0.1:5000/signin-oidc' } as const;
export const SPA = { clientId: 'weather-spa', redirectUri: 'http://localhost:5173/callback' } as const;

export const ALICE = {
  username: 'alice', email: 'alice@example.com', name: 'Alice Example', password: 'correct horse battery staple',
  weatherRoles: ['forecaster'], reportsRoles: ['auditor'],
} as const;
export const BOB = { username: 'bob', email: 'bob@example.com', name: 'Bob Example', password: 'tr0ub4dor&3-but-longer' } as const;

export interface ConfigOptions {
  /** PEM certificates registered on weather-daemon beside its secret. */
  daemonCertificates?: string[];
  /** Replaces weather-web's redirect URI (the browser test serves its own). */
  webRedirectUri?: string;
  /** The tenant's `accounts:` block (registration, policy, limits, mail). */
  accounts?: Record<string, unknown>;
  /** More users of the tenant, as in the configuration file. */
  extraUsers?: Record<string, unknown>[];
  /** More applications of the tenant, as in the configuration file. */
  extraApplications?: Record<string, unknown>[];
}

/** The tenant `demo` as YAML, for `startTestServer({ config })`. */
export function protocolConfig(options: ConfigOptions = {}): string {
  const config = {
    tenants: [{
      id: TENANT,
      name: 'Demo',
      ...(options.accounts ? { accounts: options.accounts } : {}),
      apis: [
        {
          identifier: WEATHER_API, name: 'Weather API',
          scopes: [
            { name: 'weather.read', description: 'Read weather forecasts' },
            { name: 'weather.write', description: 'Publish weather observations' },
          ],
          appRoles: ['app.weather'],
        },
        {
          identifier: REPORTS_API, name: 'Reports API', scopes: ['reports.read'], appRoles: ['app.reports'],
          signingAlg: 'RS256', accessTokenLifetime: REPORTS_TOKEN_LIFETIME,
        },
      ],
      applications: [
        {
          clientId: DAEMON.clientId, name: 'Weather daemon', type: 'daemon',
          secrets: [{ value: DAEMON.secret }],
          ...(options.daemonCertificates?.length ? { certificates: options.daemonCertificates.map((pem) => ({ pem })) } : {}),
          appRoles: [{ api: WEATHER_API, roles: ['app.weather'] }, { api: REPORTS_API, roles: ['app.reports'] }],
        },
        {
          clientId: REPORTS_DAEMON.clientId, name: 'Reports daemon', type: 'daemon',
          secrets: [{ value: REPORTS_DAEMON.secret }],
          appRoles: [{ api: REPORTS_API, roles: ['app.reports'] }],
        },
        {
          clientId: WEB.clientId, name: 'Weather web', type: 'web',
          redirectUris: [options.webRedirectUri ?? WEB.redirectUri],
          secrets: [{ value: WEB.secret }],
          permissions: [{ api: WEATHER_API, scopes: ['weather.read'] }],
        },
        {
          clientId: SPA.clientId, name: 'Weather SPA', type: 'spa',
          redirectUris: [SPA.redirectUri],
          permissions: [{ api: WEATHER_API, scopes: ['weather.read'] }],
        },
        ...(options.extraApplications ?? []),
      ],
      users: [
        {
          username: ALICE.username, email: ALICE.email, emailVerified: true, name: ALICE.name, password: ALICE.password,
          roles: [{ api: WEATHER_API, roles: [...ALICE.weatherRoles] }, { api: REPORTS_API, roles: [...ALICE.reportsRoles] }],
        },
        { username: BOB.username, email: BOB.email, emailVerified: true, name: BOB.name, password: BOB.password },
        ...(options.extraUsers ?? []),
      ],
    }],
  };
  return stringify(config);
}

// --- Certificates -------------------------------------------------------------------------

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export interface TestCertificate {
  pem: string;
  /** The private key, for signing client assertions (RS256 or ES256). */
  privateKey: CryptoKey;
  alg: 'RS256' | 'ES256';
  /** base64url SHA-1 of the DER certificate: the JWS `x5t` header (RFC 7515 §4.1.7). */
  x5t: string;
  /** base64url SHA-256 of the DER certificate: the JWS `x5t#S256` header (RFC 7515 §4.1.8). */
  x5tS256: string;
}

const KEY_ALGORITHMS = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  ES256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const;

/** A self-signed X.509 certificate valid from yesterday for a year, with its private key. */
export async function createTestCertificate(alg: 'RS256' | 'ES256', commonName = `tessera-test-${alg.toLowerCase()}`): Promise<TestCertificate> {
  const algorithm = KEY_ALGORITHMS[alg];
  const keys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']) as CryptoKeyPair;
  const day = 24 * 60 * 60 * 1000;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256').update(commonName + Math.random()).digest('hex').slice(0, 16),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + 365 * day),
    signingAlgorithm: algorithm,
    keys,
  });
  const der = Buffer.from(cert.rawData);
  return {
    pem: cert.toString('pem'),
    privateKey: keys.privateKey,
    alg,
    x5t: createHash('sha1').update(der).digest('base64url'),
    x5tS256: createHash('sha256').update(der).digest('base64url'),
  };
}

// --- Clients ------------------------------------------------------------------------------

/** openid-client configuration for an application of the test tenant (plain http on loopback allowed). */
export async function discoverClient(server: TestServer, clientId: string, auth: oidc.ClientAuth = oidc.None(), metadata: Partial<oidc.ClientMetadata> = {}): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(server.issuer(TENANT)), clientId, { id_token_signed_response_alg: 'ES256', ...metadata }, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

export interface Pkce {
  verifier: string;
  challenge: string;
}

export async function createPkce(): Promise<Pkce> {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

/** The hidden CSRF token of a sign-in or consent page. */
export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no csrf field in page:\n${html.slice(0, 2000)}`);
  return match[1];
}

export interface PageWalk {
  /** Where the server finally redirected the browser (the client's redirect_uri with code or error). */
  callback: URL;
  /** Which pages were shown on the way. */
  pages: ('login' | 'consent')[];
}

/**
 * Walks an authorization request through the real pages like a browser: the login form
 * (when the session has no user) and the consent page (allowed, or denied with `deny`), until
 * the server redirects to `redirectUri`.
 */
export async function authorizeThroughPages(
  http: HttpClient,
  authorizationUrl: URL | string,
  options: { redirectUri: string; login?: string; password?: string; consent?: 'allow' | 'deny' },
): Promise<PageWalk> {
  const stopAt = (url: URL) => url.href.startsWith(options.redirectUri);
  const pages: PageWalk['pages'] = [];
  let step = await http.follow(authorizationUrl, undefined, { stopAt });
  for (let i = 0; i < 4 && !step.location; i++) {
    const html = await step.response.text();
    if (step.response.status !== 200) throw new Error(`expected a page, got ${step.response.status} at ${step.url}:\n${html.slice(0, 1000)}`);
    const csrf = csrfOf(html);
    const isLogin = html.includes('name="password"');
    pages.push(isLogin ? 'login' : 'consent');
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    if (isLogin) {
      const body = new URLSearchParams({ csrf, identifier: options.login ?? ALICE.username, password: options.password ?? ALICE.password });
      step = await http.follow(step.url, { method: 'POST', headers, body }, { stopAt });
    } else {
      const target = options.consent === 'deny' ? `${step.url}/abort` : step.url;
      step = await http.follow(target, { method: 'POST', headers, body: new URLSearchParams({ csrf }) }, { stopAt });
    }
  }
  if (!step.location) throw new Error(`did not reach ${options.redirectUri}; last page ${step.url} (${step.response.status})`);
  return { callback: new URL(step.location), pages };
}

// --- Database -----------------------------------------------------------------------------

/**
 * Runs `read` on the server's database. PGlite is single-process, so the embedded server is
 * stopped for the read and started again on the same data (unless `restart: false`);
 * PostgreSQL is read live.
 */
export async function readDatabase<T>(
  server: TestServer,
  read: (db: Kysely<Database>) => Promise<T>,
  options: { restart?: boolean } = {},
): Promise<T> {
  if (server.databaseKind === 'postgres') return read(server.db());
  await server.stop();
  try {
    return await read(server.db());
  } finally {
    // The last read of a file may leave the server stopped: dispose() cleans up either way.
    if (options.restart ?? true) await server.restart();
  }
}

/** The payload of a JWT without verifying it, to look at claims in assertions. */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const [, payload = ''] = jwt.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
