import { createHmac } from 'node:crypto';
import type { LocalIssuer } from './local-issuer.js';

/**
 * The guard's shared case suite: every framework adapter serves these routes and must answer
 * every case alike (STYLE.md §10: one suite per interface, run against every implementation).
 *
 *   GET /weather  requireScopes('weather.read')          → 200 { sub, scopes }
 *   GET /admin    requireRoles('app.weather')
 *   GET /either   requireAny(requireScopes('weather.write'), requireRoles('app.weather'))
 *   GET /step-up  requireAuthentication({ acr: ['mfa'], maxAge: 300 })
 *   GET /me       authenticate()
 */
export type Route = '/weather' | '/admin' | '/either' | '/step-up' | '/me';

export interface AdapterCase {
  name: string;
  route: Route;
  /** The Authorization header to send (undefined: none). */
  authorization(issuer: LocalIssuer): Promise<string | undefined>;
  status: number;
  /** Exact `error` attribute of the challenge, or null for none. */
  error?: string | null;
  /** A fragment the `error_description` must contain. */
  description?: string;
  /** Extra challenge attributes that must appear, e.g. `scope="weather.read"`. */
  challenge?: string[];
}

const bearer = (token: string) => `Bearer ${token}`;
const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function hs256WithPublicKey(issuer: LocalIssuer): Promise<string> {
  const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: 'rs-1' })}.${b64({ iss: issuer.issuer, aud: 'api://weather', sub: 'x', exp: now() + 300, scope: 'weather.read' })}`;
  return `${input}.${createHmac('sha256', issuer.rsaPublicPem).update(input).digest('base64url')}`;
}

function algNone(issuer: LocalIssuer): string {
  return `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ iss: issuer.issuer, aud: 'api://weather', sub: 'x', exp: now() + 300, scope: 'weather.read' })}.`;
}

export const ADAPTER_CASES: AdapterCase[] = [
  { name: 'a token with the scope passes', route: '/weather', authorization: async (i) => bearer(await i.sign({ scope: 'weather.read' })), status: 200 },
  { name: 'Entra-style scp (string) passes', route: '/weather', authorization: async (i) => bearer(await i.sign({ scp: 'weather.write weather.read' })), status: 200 },
  { name: 'scp as an array passes', route: '/weather', authorization: async (i) => bearer(await i.sign({ scp: ['weather.read'] })), status: 200 },
  { name: 'an RS256 token passes', route: '/weather', authorization: async (i) => bearer(await i.sign({ scope: 'weather.read' }, { alg: 'RS256' })), status: 200 },
  { name: 'the scheme is case-insensitive', route: '/me', authorization: async (i) => `bEaReR ${await i.sign()}`, status: 200 },
  { name: 'typ application/at+jwt passes', route: '/me', authorization: async (i) => bearer(await i.sign({}, { typ: 'application/at+jwt' })), status: 200 },
  { name: 'a daemon role passes', route: '/admin', authorization: async (i) => bearer(await i.sign({ roles: ['app.weather'] })), status: 200 },
  { name: 'any of scope or role: the role passes', route: '/either', authorization: async (i) => bearer(await i.sign({ roles: ['app.weather'] })), status: 200 },
  { name: 'step-up met passes', route: '/step-up', authorization: async (i) => bearer(await i.sign({ acr: 'mfa', auth_time: now() - 10 })), status: 200 },
  { name: 'exp just past but within the 60 s skew passes', route: '/me', authorization: async (i) => bearer(await i.sign({ exp: now() - 30 })), status: 200 },

  { name: 'no Authorization header: 401 without an error code (RFC 6750 §3.1)', route: '/me', authorization: async () => undefined, status: 401, error: null },
  { name: 'wrong scheme', route: '/me', authorization: async () => 'Basic dXNlcjpwYXNz', status: 401, error: 'invalid_token', description: 'does not use the Bearer scheme' },
  { name: 'Bearer without a token', route: '/me', authorization: async () => 'Bearer ', status: 401, error: 'invalid_token', description: 'without a token' },
  { name: 'two tokens', route: '/me', authorization: async (i) => `Bearer ${await i.sign()} ${await i.sign()}`, status: 401, error: 'invalid_token', description: 'more than one token' },
  { name: 'two tokens, comma-separated', route: '/me', authorization: async (i) => `Bearer ${await i.sign()}, Bearer ${await i.sign()}`, status: 401, error: 'invalid_token', description: 'more than one token' },
  { name: 'characters outside b64token', route: '/me', authorization: async () => 'Bearer abc"def', status: 401, error: 'invalid_token', description: 'b64token' },
  { name: 'a huge header', route: '/me', authorization: async () => `Bearer ${'a'.repeat(10_000)}`, status: 401, error: 'invalid_token', description: 'longer than 8192 bytes' },
  { name: 'not a JWT', route: '/me', authorization: async () => 'Bearer abc.def', status: 401, error: 'invalid_token', description: 'malformed token' },
  { name: 'alg none', route: '/me', authorization: async (i) => bearer(algNone(i)), status: 401, error: 'invalid_token', description: 'algorithm none is not allowed' },
  { name: 'HS256 keyed with the public key', route: '/me', authorization: async (i) => bearer(await hs256WithPublicKey(i)), status: 401, error: 'invalid_token', description: 'algorithm HS256 is not allowed' },
  { name: 'signed by an unknown key', route: '/me', authorization: async (i) => bearer(await i.sign({}, { kid: 'nobody', unknownKey: true })), status: 401, error: 'invalid_token', description: 'no key of the issuer matches' },
  { name: 'signed by another key under a known kid', route: '/me', authorization: async (i) => bearer(await i.sign({}, { unknownKey: true })), status: 401, error: 'invalid_token', description: 'signature verification failed' },
  { name: 'another issuer', route: '/me', authorization: async (i) => bearer(await i.sign({ iss: 'https://evil.example' })), status: 401, error: 'invalid_token', description: '(iss)' },
  { name: 'another audience', route: '/me', authorization: async (i) => bearer(await i.sign({ aud: 'api://reports' })), status: 401, error: 'invalid_token', description: 'another audience (aud)' },
  { name: 'expired beyond the skew', route: '/me', authorization: async (i) => bearer(await i.sign({ exp: now() - 120 })), status: 401, error: 'invalid_token', description: 'expired' },
  { name: 'nbf in the future beyond the skew', route: '/me', authorization: async (i) => bearer(await i.sign({ nbf: now() + 120 })), status: 401, error: 'invalid_token', description: 'not valid yet (nbf)' },
  { name: 'typ JWT (an ID token or other JWT)', route: '/me', authorization: async (i) => bearer(await i.sign({}, { typ: 'JWT' })), status: 401, error: 'invalid_token', description: 'typ' },
  { name: 'no typ', route: '/me', authorization: async (i) => bearer(await i.sign({}, { typ: null })), status: 401, error: 'invalid_token', description: 'typ' },
  { name: 'no exp', route: '/me', authorization: async (i) => bearer(await i.sign({ exp: undefined })), status: 401, error: 'invalid_token', description: 'no exp claim' },
  { name: 'exp as a string', route: '/me', authorization: async (i) => bearer(await i.sign({ exp: String(now() + 300) as unknown as number })), status: 401, error: 'invalid_token', description: 'exp' },
  { name: 'sub as a number', route: '/me', authorization: async (i) => bearer(await i.sign({ sub: 42 as unknown as string })), status: 401, error: 'invalid_token', description: 'sub' },
  { name: 'roles as a string', route: '/admin', authorization: async (i) => bearer(await i.sign({ roles: 'app.weather' as unknown as string[] })), status: 401, error: 'invalid_token', description: 'claim roles must be an array of strings' },
  { name: 'scope as an array', route: '/weather', authorization: async (i) => bearer(await i.sign({ scope: ['weather.read'] as unknown as string })), status: 401, error: 'invalid_token', description: 'claim scope must be a string' },
  { name: 'a tenant the API does not serve', route: '/me', authorization: async (i) => bearer(await i.sign({ tid: 'other' })), status: 401, error: 'invalid_token', description: '(tid)' },

  { name: 'missing scope: 403 naming it', route: '/weather', authorization: async (i) => bearer(await i.sign({ scope: 'weather.write' })), status: 403, error: 'insufficient_scope', description: 'lacks scope weather.read', challenge: ['scope="weather.read"'] },
  { name: 'missing role: 403', route: '/admin', authorization: async (i) => bearer(await i.sign({ roles: ['app.other'] })), status: 403, error: 'insufficient_scope', description: 'lacks role app.weather' },
  { name: 'neither alternative: 403 naming both', route: '/either', authorization: async (i) => bearer(await i.sign({ scope: 'weather.read' })), status: 403, error: 'insufficient_scope', description: 'role app.weather', challenge: ['scope="weather.write"'] },
  { name: 'step-up: wrong acr (RFC 9470)', route: '/step-up', authorization: async (i) => bearer(await i.sign({ acr: 'pwd', auth_time: now() })), status: 401, error: 'insufficient_user_authentication', description: 'acr', challenge: ['acr_values="mfa"', 'max_age="300"'] },
  { name: 'step-up: sign-in too old', route: '/step-up', authorization: async (i) => bearer(await i.sign({ acr: 'mfa', auth_time: now() - 900 })), status: 401, error: 'insufficient_user_authentication', description: 'older than 300 seconds' },
];

/** The guard options every adapter test uses with these cases. */
export const CASE_TENANTS = ['t1'];
