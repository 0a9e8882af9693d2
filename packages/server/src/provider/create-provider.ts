import { hkdfSync } from 'node:crypto';
import Provider, { type Configuration } from 'oidc-provider';
import { createOidcAdapterClass, isStorableText } from '../db/oidc-adapter.js';
import type { Services } from '../server/services.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { toClientMetadata } from './client-metadata.js';
import { createFindAccount } from './find-account.js';
import { OIDC_SCOPES } from './oidc-scopes.js';
import { createPairwiseIdentifier } from './pairwise-identifier.js';
import { createErrorRenderer } from './render-error.js';
import { createInteractionPolicy } from './interaction-policy.js';
import { ACR_VALUES } from '../identity/factors/assurance.js';
import { publicBasePath } from '../config/settings.js';
import { createResourceIndicators } from './resource-servers.js';
import type { TenantSnapshot } from './tenant-snapshot.js';
import { createTokenAudit } from './token-audit.js';
import { createJwtCustomizer } from './token-claims.js';
import { createDeviceFlow, createDeviceFlowGuard } from './device-flow.js';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import { createEndAccountSession } from './end-account-session.js';
import { createIntrospection } from './introspection.js';
import { createJwtTokenStatus } from './jwt-token-status.js';
import { createRpInitiatedLogout } from './logout.js';
import { createBackchannelLogout, fetchAllowingLoopbackLogout, registerBackchannelLogout } from './backchannel-logout.js';
import { registerTokenExchange, tokenExchangeClaims } from './token-exchange.js';
import { clientBasedCORS } from './client-cors.js';
import { createLoadExistingGrant } from './load-existing-grant.js';
import { registerEntraCompatibility } from './entra-compat.js';
import { engineSigningKeys } from '../keys/engine-signing-key.js';
import { createUnexpectedErrorHandler, logEngineServerErrors, type ProtocolErrorLog } from './unexpected-errors.js';

export const REFRESH_TOKEN_REUSE_GRACE_SECONDS = 10;

const SESSION_TTL_SECONDS = 14 * 24 * 60 * 60;
/** Flags of oidc-provider's cookies: its session (`cookies.long`) and interaction (`cookies.short`) cookies. */
const ENGINE_COOKIE = { signed: true, httpOnly: true, sameSite: 'lax' } as const;

/**
 * The engine's session cookie belongs to its tenant: by default it is set for the whole host
 * (`path=/`), under the same name for every tenant, so signing in to one tenant replaced
 * another's session (and a logout there no longer found it). The interaction cookies already
 * carry their own paths, under the tenant's.
 */
function sessionCookieOptions(basePath: string, tenantId: string) {
  return { ...ENGINE_COOKIE, path: `${basePath}/${tenantId}/` };
}

/** One oidc-provider instance for one tenant, configured from its snapshot. */
export function createTenantProvider(services: Services, snapshot: TenantSnapshot, audit: AuditWriter, log: ProtocolErrorLog): Provider {
  const tenantId = snapshot.tenant.id;
  const basePath = publicBasePath(services.settings);
  const renderError = createErrorRenderer(basePath);
  const sessionCookie = sessionCookieOptions(basePath, tenantId);
  const StorageAdapter = createOidcAdapterClass({
    db: services.db, tenantId, refreshTokenReuseGraceSeconds: REFRESH_TOKEN_REUSE_GRACE_SECONDS,
  });

  // Applications live in our tables; oidc-provider reads them through this adapter,
  // per request, so the authentication method follows the credential presented.
  class Adapter extends StorageAdapter {
    constructor(private readonly modelName: string) {
      super(modelName);
    }
    override async find(id: string) {
      if (this.modelName !== 'Client') return super.find(id);
      if (!isStorableText(id)) return undefined;
      const app = await snapshot.findApplication(id);
      return app && (toClientMetadata(app, Provider.ctx, snapshot.issuer) as never);
    }
  }

  const configuration: Configuration = {
    adapter: Adapter,
    clients: [],
    findAccount: createFindAccount(services.users, tenantId),
    jwks: { keys: engineSigningKeys(snapshot.keys.keys) },
    cookies: {
      keys: [cookieKey(services.masterKey.key, tenantId)],
      long: sessionCookie,
      short: ENGINE_COOKIE,
    },
    scopes: [...OIDC_SCOPES],
    claims: {
      // How the user signed in, in every ID token (OIDC Core §2; RFC 8176 amr values, docs/mfa.md);
      // oidc-provider otherwise adds them only when the client asks (claims parameter, max_age).
      // `tid` (the tenant) and, with `profile`, `oid` (the user's stable id, the same in every
      // application's tokens) as in Entra ID's ID tokens: MSAL takes the account's tenant from `tid`.
      openid: ['sub', 'acr', 'amr', 'auth_time', 'tid'],
      profile: ['name', 'preferred_username', 'oid'],
      email: ['email', 'email_verified'],
    },
    // Assurance levels a client may ask for with acr_values (identity/factors/assurance.ts, docs/mfa.md).
    acrValues: [...ACR_VALUES],
    // Profile and email claims go in the ID token as well as to UserInfo, for the scopes granted:
    // what Auth0, Entra ID, Keycloak and Google do, and what relying parties that read only the ID
    // token expect (Auth.js's default profile, ASP.NET Core's OpenIdConnectHandler). oidc-provider's
    // default (true) keeps them out of ID tokens issued beside an access token (OIDC Core §5.4).
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    subjectTypes: ['public', 'pairwise'],
    pairwiseIdentifier: createPairwiseIdentifier(snapshot.tenant.pairwiseSalt),
    sectorIdentifierUriValidate: () => false,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      clientAuthSigningAlgValues: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
    },
    clientDefaults: {
      grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'ES256',
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    // PKCE with S256 for every client, confidential ones included (OAuth 2.0 Security BCP §2.1.1);
    // oidc-provider accepts no other method, so `plain` is refused.
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      deviceFlow: createDeviceFlow(basePath) as never,
      resourceIndicators: createResourceIndicators(snapshot) as never,
      rpInitiatedLogout: createRpInitiatedLogout(basePath) as never,
      introspection: createIntrospection(snapshot) as never,
      backchannelLogout: createBackchannelLogout(),
      // Signatures by node:crypto from keys made once (keys/engine-signing-key.ts).
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
    },
    // Logout tokens to a loopback back-channel URI (development, tests) skip oidc-provider's SSRF
    // guard; in production (NODE_ENV=production) every outgoing request keeps it, so a tenant's
    // configuration cannot make the server POST to services on its own host.
    ...(services.settings.production ? {} : { fetch: fetchAllowingLoopbackLogout }),
    formats: { customizers: { jwt: createJwtCustomizer(snapshot, services.db) as never } },
    // `act` on on-behalf-of tokens (RFC 8693 §4.1); see token-exchange.ts.
    extraTokenClaims: tokenExchangeClaims as never,
    rotateRefreshToken: true,
    ttl: {
      // Tokens for an API live as long as the API says (accessTokenLifetime in resource-servers.ts).
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 60 * 60,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      DeviceCode: 10 * 60,
      Grant: 14 * 24 * 60 * 60,
      Session: SESSION_TTL_SECONDS,
      RefreshToken: 14 * 24 * 60 * 60,
    },
    interactions: {
      policy: createInteractionPolicy(snapshot),
      url: (_ctx, interaction) => `${basePath}/${tenantId}/interaction/${interaction.uid}`,
    },
    clientBasedCORS: clientBasedCORS as never,
    loadExistingGrant: createLoadExistingGrant({ db: services.db, tenantId }) as never,
    renderError: renderError as never,
  };

  const provider = new Provider(snapshot.issuer, configuration);
  // The HTTP layer always sets X-Forwarded-Proto/Host from TESSERA_PUBLIC_URL (never from
  // the client), so every URL oidc-provider builds uses the public URL.
  provider.proxy = true;
  // Outermost: whatever escapes the engine's endpoints or our middleware is answered as an OAuth error.
  provider.use(createUnexpectedErrorHandler({
    log, renderError: renderError as never, session: { ttlSeconds: SESSION_TTL_SECONDS, cookie: sessionCookie },
  }) as never);
  logEngineServerErrors(provider as never, log);
  provider.use(createTokenAudit(tenantId, audit) as never);
  // Device sign-in: user-code entry limit per IP, slow_down, interval (device-flow.ts).
  provider.use(createDeviceFlowGuard({
    tenantId, basePath, limits: () => snapshot.tenant.accountSettings.limits, audit, trustProxy: services.settings.trustProxy,
    store: services.limiterStore,
  }) as never);
  // Inside the audit middleware, so OAuth errors written here get their correlation_id too.
  provider.use(createJwtTokenStatus({ snapshot, revoked: new StorageAdapter('RevokedAccessToken') }) as never);
  registerBackchannelLogout(provider, { tenantId, audit });
  registerEntraCompatibility(provider, { tenantId }); // MSAL: v2.0 discovery path, client_info (entra-compat.ts)
  // On-behalf-of (RFC 8693 token exchange and MSAL's jwt-bearer form); see docs/token-exchange.md.
  registerTokenExchange(provider, {
    snapshot, db: services.db, revoked: new StorageAdapter('RevokedAccessToken'), findAccount: createFindAccount(services.users, tenantId),
  });
  provider.use(createEndAccountSession({
    tenantId, sessions: createAccountSessionRepository(services.db), audit,
    cookiePath: `${basePath}/${tenantId}/`, secureCookies: services.settings.publicUrl.startsWith('https:'),
  }) as never);
  return provider;
}

/** Cookie signing key per tenant, derived from the master key (RFC 5869 HKDF). */
function cookieKey(masterKey: Buffer, tenantId: string): string {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `tessera cookie keys ${tenantId}`, 32)).toString('base64url');
}

