import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import type { ClientMetadata, KoaContextWithOIDC } from 'oidc-provider';
import type { ApplicationWithCredentials } from '../db/repositories/applications.js';
import { matchesClientSecret } from '../security/client-secrets.js';
import { DEVICE_CODE_GRANT } from './device-flow.js';
import { JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT } from './token-exchange.js';

/** Never equal to a presented secret: stands in when no stored secret matched. */
const NO_MATCH = `no-match-${randomBytes(32).toString('base64url')}`;

const CONFIDENTIAL = new Set(['web', 'daemon']);

/**
 * The oidc-provider client metadata for an application, for the current request.
 *
 * oidc-provider binds one token_endpoint_auth_method per client, while an application
 * here may hold secrets and certificates at once (as in Entra ID). So the method is chosen
 * from what the request presents, and a presented secret is checked here, against stored
 * SHA-256 hashes in constant time; oidc-provider then compares it with itself (a match)
 * or with NO_MATCH (invalid_client). Certificates are narrowed to the one the assertion
 * names by `kid`, `x5t` or `x5t#S256`.
 */
export function toClientMetadata(app: ApplicationWithCredentials, ctx: KoaContextWithOIDC | undefined, issuer: string, now = Date.now()): ClientMetadata {
  const base = baseMetadata(app, issuer);
  if (!CONFIDENTIAL.has(app.type)) return base;
  const auth = authenticationFor(app, ctx, now);
  if (auth.token_endpoint_auth_method === 'private_key_jwt') return { ...base, ...auth };
  // Secret-based metadata is reused while the application object and the outcome are the
  // same, so the token path builds nothing per request.
  const key = `${auth.token_endpoint_auth_method}\0${auth.client_secret}`;
  let cache = secretMetadata.get(app);
  if (!cache) secretMetadata.set(app, (cache = new Map()));
  let metadata = cache.get(key);
  if (!metadata) {
    if (cache.size >= 16) cache.clear();
    metadata = { ...base, ...auth };
    cache.set(key, metadata);
  }
  return metadata;
}

const bases = new WeakMap<ApplicationWithCredentials, ClientMetadata>();
const secretMetadata = new WeakMap<ApplicationWithCredentials, Map<string, ClientMetadata>>();

/** What does not depend on the request, built once per application object. */
function baseMetadata(app: ApplicationWithCredentials, issuer: string): ClientMetadata {
  let base = bases.get(app);
  if (base) return base;
  const confidential = CONFIDENTIAL.has(app.type);
  const interactive = app.type !== 'daemon';
  base = {
    client_id: app.clientId,
    client_name: app.name,
    application_type: app.type === 'native' ? 'native' : 'web',
    grant_types: [
      ...(interactive ? ['authorization_code', 'refresh_token'] : []),
      ...(confidential ? ['client_credentials'] : []),
      // Device sign-in (RFC 8628) for native apps (TVs, CLIs); see docs/device-flow.md.
      ...(app.type === 'native' ? [DEVICE_CODE_GRANT] : []),
      // On-behalf-of for an API's own web application (docs/token-exchange.md).
      ...(app.type === 'web' ? [TOKEN_EXCHANGE_GRANT, JWT_BEARER_GRANT] : []),
    ],
    response_types: interactive ? ['code'] : [],
    redirect_uris: interactive ? app.redirectUris : [],
    post_logout_redirect_uris: interactive ? app.postLogoutRedirectUris : [],
    id_token_signed_response_alg: app.idTokenSigningAlg,
    // `sub` is pairwise per application (see pairwise-identifier.ts); the sector URI is a
    // nominal, never-fetched value that satisfies oidc-provider's metadata rules.
    // Native apps excepted: oidc-provider allows the device grant to pairwise clients only with
    // private_key_jwt or mTLS, which a public client cannot use, so their `sub` is the user's id
    // (= `oid`). See docs/device-flow.md.
    ...(interactive && app.type !== 'native'
      ? { subject_type: 'pairwise', sector_identifier_uri: `https://sector.invalid/${encodeURIComponent(new URL(issuer).host)}/${encodeURIComponent(app.clientId)}` }
      : { subject_type: 'public' }),
    ...(confidential ? {} : { token_endpoint_auth_method: 'none' }),
    // OpenID Connect Back-Channel Logout 1.0: web apps only (the config refuses others). The
    // token always carries `sid`, so the application can end exactly that session.
    ...(app.type === 'web' && app.backchannelLogoutUri
      ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
  };
  bases.set(app, base);
  return base;
}

type Authentication =
  | { token_endpoint_auth_method: 'private_key_jwt'; jwks: { keys: never[] } }
  | { token_endpoint_auth_method: 'client_secret_basic' | 'client_secret_post'; client_secret: string };

function authenticationFor(app: ApplicationWithCredentials, ctx: KoaContextWithOIDC | undefined, now: number): Authentication {
  const params = (ctx?.oidc?.params ?? {}) as Record<string, unknown>;
  const assertion = typeof params.client_assertion === 'string' ? params.client_assertion : undefined;
  if (assertion) {
    const header = safeHeader(assertion);
    const keys = app.certificates
      .filter((cert) => !cert.notAfter || cert.notAfter.getTime() > now)
      .filter((cert) => header && (
        header.kid === cert.jwk.kid
        // MSAL Python (1.21) pads x5t (20 bytes → one '='), which RFC 7515 §2 base64url omits.
        || header.x5t === cert.thumbprintSha1 || header.x5t === `${cert.thumbprintSha1}=`
        || header['x5t#S256'] === cert.thumbprintSha256
      ))
      .map((cert) => ({ ...cert.jwk, kid: typeof header?.kid === 'string' ? header.kid : cert.jwk.kid }));
    return { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: keys as never } };
  }
  const presented = typeof params.client_secret === 'string' ? params.client_secret : basicSecret(ctx);
  const method = typeof params.client_secret === 'string' ? 'client_secret_post' : 'client_secret_basic';
  const valid = presented !== undefined && isCurrentSecret(app, presented, now);
  return { token_endpoint_auth_method: method, client_secret: valid ? presented : NO_MATCH };
}

/**
 * Secrets already verified for an application object, with the expiry of the secret they
 * matched. The application object is replaced whenever the tenant changes, so a removed
 * secret never stays valid here; at most a few entries are kept per application.
 */
const verified = new WeakMap<ApplicationWithCredentials, Map<string, number>>();

function isCurrentSecret(app: ApplicationWithCredentials, presented: string, now: number): boolean {
  const known = verified.get(app)?.get(presented);
  if (known !== undefined) return known > now;
  const match = app.secrets.find((secret) =>
    (!secret.expiresAt || secret.expiresAt.getTime() > now) && matchesClientSecret(presented, secret.hash));
  if (!match) return false;
  let cache = verified.get(app);
  if (!cache) verified.set(app, (cache = new Map()));
  if (cache.size >= 8) cache.clear();
  cache.set(presented, match.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
  return true;
}

function basicSecret(ctx: KoaContextWithOIDC | undefined): string | undefined {
  const header = ctx?.headers.authorization;
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

function safeHeader(jwt: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(jwt) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
