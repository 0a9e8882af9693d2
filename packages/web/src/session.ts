import { randomBytes } from 'node:crypto';
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie } from './chunked-cookie.js';
import type { CookieExchange } from './cookies.js';
import type { Sealer } from './sealed-value.js';

/**
 * The signed-in user: the validated ID token's claims (OpenID Connect Core §2, §5.1). Profile
 * claims are for display only; authorize on `sub` (with `iss`), never on `email` or `name`.
 *
 * @example
 * app.get('/', auth.requireUser(), (req, res) => res.send(`Hello ${req.user?.name ?? req.user?.sub}`));
 */
export interface User {
  iss: string;
  sub: string;
  aud: string | string[];
  name?: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  /** Tessera and Entra ID: the tenant id. */
  tid?: string;
  /** Tessera and Entra ID: the user's id, the same in every application. */
  oid?: string;
  [claim: string]: unknown;
}

/**
 * An access token kept in the session for one set of scopes.
 *
 * @example
 * session.tokens['api://weather/weather.read']?.expiresAt;
 */
export interface StoredToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** The scopes the provider says the token carries, when it says. */
  scope?: string;
}

/**
 * What a session holds: the user, the ID token (for `id_token_hint` at sign-out), the newest
 * refresh token and the scopes of the sign-in it came from, and access tokens per scope set.
 *
 * @example
 * const session = await auth.getSession(exchange);
 * session?.user.sub;
 */
export interface Session {
  user: User;
  idToken: string;
  refreshToken?: string;
  /** Every scope asked for in the sign-ins of this session (what the refresh token may cover). */
  grantedScopes: string[];
  tokens: Record<string, StoredToken>;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastSeenAt: number;
}

/**
 * Optional server-side storage: the cookie then carries only a random session id. Needed when
 * sessions must be revocable from the server or outgrow cookies; any key-value store fits.
 *
 * @example
 * const sessions = new Map<string, Session>();
 * const store: SessionStore = {
 *   get: async (id) => sessions.get(id),
 *   set: async (id, session) => { sessions.set(id, session); },
 *   destroy: async (id) => { sessions.delete(id); },
 * };
 */
export interface SessionStore {
  get(id: string): Promise<Session | undefined>;
  /** `expiresAt` (milliseconds since the epoch) lets a store expire the entry itself (a Redis TTL). */
  set(id: string, session: Session, options: { expiresAt: number }): Promise<void>;
  destroy(id: string): Promise<void>;
}

/**
 * How long a session lasts, in seconds.
 *
 * @example
 * createWebAuth({ …, session: { absolute: 12 * 3600, idle: 30 * 60 } });
 */
export interface SessionLifetimes {
  /** Seconds from sign-in after which the session ends whatever the activity; default 7 days. */
  absolute: number;
  /** Seconds without a request after which the session ends; default 24 hours. */
  idle: number;
}

export interface SessionCookieOptions {
  name: string;
  secure: boolean;
  sealer: Sealer;
  lifetimes: SessionLifetimes;
  store: SessionStore | undefined;
  clock: () => number;
}

/** A session's activity is written back at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface SessionCookie {
  read(exchange: CookieExchange): Promise<Session | undefined>;
  write(exchange: CookieExchange, session: Session, options?: { rotate?: boolean }): Promise<void>;
  destroy(exchange: CookieExchange): Promise<void>;
}

/** The session cookie: sealed session (or sealed store id), chunked when large, with lifetimes. */
export function createSessionCookie(options: SessionCookieOptions): SessionCookie {
  const { name, sealer, lifetimes, store, clock } = options;
  const attributes = { secure: options.secure };
  const expiresAt = (session: Session) =>
    Math.min(session.createdAt + lifetimes.absolute * 1000, session.lastSeenAt + lifetimes.idle * 1000);

  async function load(exchange: CookieExchange): Promise<{ session: Session; sid?: string } | undefined> {
    const sealed = readChunkedCookie(exchange, name);
    if (!sealed) return undefined;
    const payload = await sealer.unseal(sealed);
    if (!payload) return undefined;
    if (store) {
      if (typeof payload.sid !== 'string') return undefined;
      const session = await store.get(payload.sid);
      return session ? { session, sid: payload.sid } : undefined;
    }
    return isSession(payload.session) ? { session: payload.session } : undefined;
  }

  const cookie: SessionCookie = {
    async read(exchange) {
      const loaded = await load(exchange);
      if (!loaded) return undefined;
      const now = clock();
      if (expiresAt(loaded.session) <= now) {
        await cookie.destroy(exchange);
        return undefined;
      }
      if (now - loaded.session.lastSeenAt > TOUCH_INTERVAL_MS) {
        await cookie.write(exchange, { ...loaded.session, lastSeenAt: now });
      }
      return loaded.session;
    },
    async write(exchange, session, { rotate = false } = {}) {
      const until = expiresAt(session);
      const maxAge = Math.floor((until - clock()) / 1000);
      let payload: Record<string, unknown> = { session };
      if (store) {
        const previous = await load(exchange);
        // A new sign-in gets a new id (OWASP: renew the session id after authentication).
        if (rotate && previous?.sid) await store.destroy(previous.sid);
        const sid = !rotate && previous?.sid ? previous.sid : randomBytes(32).toString('base64url');
        await store.set(sid, session, { expiresAt: until });
        payload = { sid };
      }
      writeChunkedCookie(exchange, name, await sealer.seal(payload, until), { ...attributes, maxAge });
    },
    async destroy(exchange) {
      if (store) {
        const loaded = await load(exchange).catch(() => undefined);
        if (loaded?.sid) await store.destroy(loaded.sid);
      }
      clearChunkedCookie(exchange, name, attributes);
    },
  };
  return cookie;
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<Session>;
  return typeof s.idToken === 'string' && typeof s.user?.sub === 'string' && typeof s.createdAt === 'number'
    && typeof s.lastSeenAt === 'number' && Array.isArray(s.grantedScopes) && typeof s.tokens === 'object';
}
