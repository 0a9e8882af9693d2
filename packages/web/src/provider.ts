import * as oauth from 'oauth4webapi';
import { ConfigurationError } from './errors.js';

/** How the application authenticates at the token endpoint (RFC 6749 §2.3; OIDC Core §9). */
export type ClientCredentials =
  | { clientSecret: string; clientAuthMethod?: 'client_secret_basic' | 'client_secret_post' }
  | { privateKey: CryptoKey | { key: CryptoKey; kid?: string } };

export interface ProviderOptions {
  issuer: string;
  clientId: string;
  credentials: ClientCredentials;
  /** Expected ID token algorithm; default: what the provider's discovery document lists. */
  idTokenSigningAlg?: string;
  fetch?: typeof fetch;
  clock: () => number;
}

/** The provider's metadata, this client, and how it authenticates; discovered once, lazily. */
export interface Provider {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  auth: oauth.ClientAuth;
  /** Options for every oauth4webapi request: our fetch, http only on loopback. */
  requestOptions(): { [oauth.customFetch]?: typeof fetch; [oauth.allowInsecureRequests]?: boolean };
}

/** Plain http is accepted only for an issuer on this machine (development and tests). */
export function isLoopbackUrl(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

function clientAuthOf(credentials: ClientCredentials): oauth.ClientAuth {
  if ('privateKey' in credentials) return oauth.PrivateKeyJwt(credentials.privateKey);
  return credentials.clientAuthMethod === 'client_secret_post'
    ? oauth.ClientSecretPost(credentials.clientSecret)
    : oauth.ClientSecretBasic(credentials.clientSecret);
}

/** Discovery (OIDC Discovery 1.0 §4; the issuer in the document must equal the configured one, §4.3). */
export function createProvider(options: ProviderOptions): () => Promise<Provider> {
  const issuer = new URL(options.issuer);
  const insecure = isLoopbackUrl(issuer);
  if (issuer.protocol !== 'https:' && !insecure) throw new ConfigurationError('issuer must be an https URL (http only on localhost)');
  const requestOptions = () => ({
    ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}),
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
  });
  let discovered: Promise<Provider> | undefined;
  return () => {
    discovered ??= (async () => {
      const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...requestOptions() });
      const as = await oauth.processDiscoveryResponse(issuer, response);
      const client: oauth.Client = {
        client_id: options.clientId,
        ...(options.idTokenSigningAlg ? { id_token_signed_response_alg: options.idTokenSigningAlg } : {}),
      };
      // Validate `iat`/`exp` against the injected clock (oauth4webapi takes an offset in seconds).
      Object.defineProperty(client, oauth.clockSkew, { get: () => Math.round((options.clock() - Date.now()) / 1000), enumerable: true });
      return { as, client, auth: clientAuthOf(options.credentials), requestOptions };
    })().catch((error: unknown) => {
      discovered = undefined; // A provider that was down is asked again next time.
      throw error;
    });
    return discovered;
  };
}
