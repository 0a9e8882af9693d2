import { getAccessToken, type GetAccessTokenOptions } from './access-token.js';
import { finishSignIn } from './callback.js';
import type { CookieExchange } from './cookies.js';
import { ConfigurationError } from './errors.js';
import { createProvider, isLoopbackUrl, type ClientCredentials } from './provider.js';
import { MIN_SECRET_BYTES, createSealer } from './sealed-value.js';
import { incrementalScopes, splitScopes } from './scopes.js';
import { createSessionCookie, type Session, type SessionLifetimes, type SessionStore } from './session.js';
import { signOut } from './sign-out.js';
import { startSignIn, type SignInOptions } from './sign-in.js';
import { createTransactionCookie } from './transaction.js';

/**
 * The session cookie's settings.
 *
 * @example
 * cookie: { secret: [process.env.COOKIE_SECRET!, process.env.OLD_COOKIE_SECRET!], name: 'weather_session' }
 */
export interface WebAuthCookieOptions {
  /** At least 32 bytes of randomness (`openssl rand -base64 32`); a list rotates: the first seals, all open. */
  secret: string | readonly string[];
  /** Session cookie name; default `app_session`. The transaction cookie is `${name}.tx`. */
  name?: string;
  /** Default true, unless the redirect URI is http:// on localhost / 127.0.0.1 (development). */
  secure?: boolean;
}

/**
 * Options of `createWebAuth`. Exactly one of `clientSecret` or `privateKey` authenticates the app.
 *
 * @example
 * const options: WebAuthOptions = {
 *   issuer: 'https://login.microsoftonline.com/{tenant-id}/v2.0', clientId, privateKey,
 *   redirectUri: 'https://app.example.com/signin-oidc', cookie: { secret },
 * };
 */
export type WebAuthOptions = {
  /** The provider's issuer, e.g. `https://id.example.com/acme`; discovery is at `/.well-known/openid-configuration` under it. */
  issuer: string;
  clientId: string;
  /** Absolute, registered exactly at the provider; its path is the callback route, e.g. `https://app.example.com/signin-oidc`. */
  redirectUri: string;
  /** Registered at the provider; where it sends the browser after sign-out. */
  postLogoutRedirectUri?: string;
  /** Sign-in scopes; default `['openid', 'profile', 'offline_access']`. */
  scopes?: readonly string[];
  cookie: WebAuthCookieOptions;
  session?: Partial<SessionLifetimes>;
  /** Keep sessions server-side; the cookie then holds only an id. */
  store?: SessionStore;
  /** Extra authorization request parameters on every sign-in (Auth0's `audience`, Entra ID's `domain_hint`). */
  authorizationParameters?: Record<string, string>;
  /** Expected ID token `alg`; default: the provider's advertised algorithms. */
  idTokenSigningAlg?: string;
  /** Milliseconds since the epoch; inject one in tests. */
  clock?: () => number;
  fetch?: typeof fetch;
} & ({ clientSecret: string; clientAuthMethod?: 'client_secret_basic' | 'client_secret_post' } | { privateKey: CryptoKey | { key: CryptoKey; kid?: string } });

/**
 * The framework-neutral core the Express and Fastify adapters wrap; usable directly with any framework.
 *
 * @example
 * const exchange = createCookieExchange(req.headers.cookie, (header) => res.appendHeader('set-cookie', header));
 * const session = await auth.getSession(exchange);
 */
export interface WebAuth {
  readonly redirectUri: string;
  /** The callback route's path, from `redirectUri`. */
  readonly callbackPath: string;
  readonly scopes: readonly string[];
  /** The authorization URL to redirect to; the transaction cookie is set on `exchange`. */
  signIn(exchange: CookieExchange, options?: SignInOptions): Promise<URL>;
  /** Handles the callback; returns the same-origin path to redirect to. Throws `CallbackError` (answer 400). */
  handleCallback(exchange: CookieExchange, currentUrl: URL): Promise<string>;
  /** Ends the session; returns where to redirect (the provider's end-session URL when it has one). */
  signOut(exchange: CookieExchange): Promise<URL | string>;
  getSession(exchange: CookieExchange): Promise<Session | undefined>;
  getAccessToken(exchange: CookieExchange, options: GetAccessTokenOptions): Promise<string>;
  /** The scopes to ask for to obtain `wanted` incrementally (adds what this session already holds for the same API). */
  scopesFor(wanted: readonly string[], session: Session | undefined): string[];
}

const DEFAULT_SCOPES = ['openid', 'profile', 'offline_access'] as const;

function assertOptions(options: WebAuthOptions): { secrets: string[]; redirect: URL } {
  let redirect: URL;
  try {
    redirect = new URL(options.redirectUri);
  } catch {
    throw new ConfigurationError('redirectUri must be an absolute URL');
  }
  const secrets = typeof options.cookie?.secret === 'string' ? [options.cookie.secret] : [...(options.cookie?.secret ?? [])];
  if (!secrets.length || secrets.some((s) => Buffer.byteLength(s) < MIN_SECRET_BYTES)) {
    throw new ConfigurationError(`cookie.secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  if (redirect.protocol !== 'https:' && !isLoopbackUrl(redirect)) throw new ConfigurationError('redirectUri must be https (http only on localhost)');
  return { secrets, redirect };
}

/**
 * Creates OpenID Connect sign-in for a server-rendered web app, for any standard provider.
 *
 * @example
 * const auth = createWebAuth({
 *   issuer: 'https://id.example.com/acme',
 *   clientId: 'weather-web',
 *   clientSecret: process.env.CLIENT_SECRET!,
 *   redirectUri: 'https://weather.example.com/signin-oidc',
 *   scopes: ['openid', 'profile', 'offline_access', 'api://weather/weather.read'],
 *   cookie: { secret: process.env.COOKIE_SECRET! },
 * });
 * app.use(expressWebAuth(auth));
 */
export function createWebAuth(options: WebAuthOptions): WebAuth {
  const { secrets, redirect } = assertOptions(options);
  const clock = options.clock ?? Date.now;
  const name = options.cookie.name ?? 'app_session';
  const secure = options.cookie.secure ?? !isLoopbackUrl(redirect);
  const scopes = splitScopes(options.scopes ?? DEFAULT_SCOPES);
  const credentials: ClientCredentials = 'privateKey' in options
    ? { privateKey: options.privateKey }
    : { clientSecret: options.clientSecret, ...(options.clientAuthMethod ? { clientAuthMethod: options.clientAuthMethod } : {}) };
  const provider = createProvider({
    issuer: options.issuer, clientId: options.clientId, credentials, clock,
    ...(options.idTokenSigningAlg ? { idTokenSigningAlg: options.idTokenSigningAlg } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const sessions = createSessionCookie({
    name, secure, clock, store: options.store, sealer: createSealer(secrets, 'session', clock),
    lifetimes: { absolute: options.session?.absolute ?? 7 * 24 * 3600, idle: options.session?.idle ?? 24 * 3600 },
  });
  const transactions = createTransactionCookie({ name: `${name}.tx`, secure, clock, sealer: createSealer(secrets, 'transaction', clock) });
  const redirectUri = redirect.href;
  const signInDeps = { provider, transactions, redirectUri, parameters: options.authorizationParameters ?? {} };

  return {
    redirectUri,
    callbackPath: redirect.pathname,
    scopes,
    signIn: (exchange, signInOptions = {}) => startSignIn(signInDeps, exchange, signInOptions.scopes ?? scopes, signInOptions),
    handleCallback: (exchange, currentUrl) => finishSignIn({ provider, transactions, sessions, redirectUri, clock }, exchange, currentUrl),
    signOut: (exchange) => signOut({ provider, sessions, postLogoutRedirectUri: options.postLogoutRedirectUri }, exchange),
    getSession: (exchange) => sessions.read(exchange),
    getAccessToken: (exchange, tokenOptions) => getAccessToken({ provider, sessions, clock }, exchange, tokenOptions),
    scopesFor: (wanted, session) => incrementalScopes(scopes, wanted, session?.grantedScopes ?? []),
  };
}
