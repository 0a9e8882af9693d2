import { isIP } from 'node:net';

/** One stored cookie (RFC 6265 §5.3). */
export interface StoredCookie {
  name: string;
  value: string;
  /** Lower-case host, or the Domain attribute without its leading dot. */
  domain: string;
  /** No Domain attribute: sent to exactly that host only. */
  hostOnly: boolean;
  path: string;
  /** Milliseconds since the epoch; undefined for a session cookie. */
  expiresAt: number | undefined;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

export interface CookieJar {
  /** Stores every Set-Cookie of a response to `url`. */
  store(url: string | URL, response: Response): void;
  /** Stores one Set-Cookie header value received from `url`. */
  storeHeader(url: string | URL, setCookie: string): void;
  /** The Cookie header to send to `url`, or undefined when no cookie applies. */
  headerFor(url: string | URL): string | undefined;
  /** The value of a cookie that would be sent to `url` (or any stored one, without `url`). */
  get(name: string, url?: string | URL): string | undefined;
  all(): StoredCookie[];
  clear(): void;
}

/**
 * A minimal browser cookie store: Domain and host-only cookies, Path with the RFC 6265
 * default-path, Max-Age/Expires (including deletion), Secure (sent over https and, as browsers
 * do, to loopback hosts). SameSite is recorded but not enforced.
 */
export function createCookieJar(clock: () => number = Date.now): CookieJar {
  let cookies: StoredCookie[] = [];
  const live = () => {
    cookies = cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > clock());
    return cookies;
  };
  const jar: CookieJar = {
    store(url, response) {
      for (const header of response.headers.getSetCookie()) jar.storeHeader(url, header);
    },
    storeHeader(url, setCookie) {
      const cookie = parseSetCookie(new URL(url), setCookie, clock());
      if (!cookie) return;
      cookies = cookies.filter((c) => !(c.name === cookie.name && c.domain === cookie.domain && c.path === cookie.path));
      if (cookie.expiresAt === undefined || cookie.expiresAt > clock()) cookies.push(cookie);
    },
    headerFor(url) {
      const matching = matchingCookies(live(), new URL(url));
      return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
    },
    get(name, url) {
      const pool = url ? matchingCookies(live(), new URL(url)) : live();
      return pool.find((c) => c.name === name)?.value;
    },
    all: () => [...live()],
    clear() { cookies = []; },
  };
  return jar;
}

function parseSetCookie(url: URL, header: string, now: number): StoredCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 1) return undefined;
  const host = url.hostname.toLowerCase();
  const cookie: StoredCookie = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: host,
    hostOnly: true,
    path: defaultPath(url),
    expiresAt: undefined,
    secure: false,
    httpOnly: false,
    sameSite: undefined,
  };
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'domain' && value) {
      const domain = value.replace(/^\./, '').toLowerCase();
      // §5.3 step 6: a Domain the request host is not within is rejected outright.
      if (!domainMatches(host, domain)) return undefined;
      cookie.domain = domain;
      cookie.hostOnly = false;
    } else if (key === 'path') {
      cookie.path = value.startsWith('/') ? value : defaultPath(url);
    } else if (key === 'max-age' && /^-?\d+$/.test(value)) {
      maxAgeSeen = true; // Max-Age wins over Expires (§5.3 step 3).
      cookie.expiresAt = now + Number(value) * 1000;
    } else if (key === 'expires' && !maxAgeSeen) {
      const time = Date.parse(value);
      if (!Number.isNaN(time)) cookie.expiresAt = time;
    } else if (key === 'secure') {
      cookie.secure = true;
    } else if (key === 'httponly') {
      cookie.httpOnly = true;
    } else if (key === 'samesite') {
      cookie.sameSite = value.toLowerCase();
    }
  }
  return cookie;
}

/** RFC 6265 §5.1.4. */
function defaultPath(url: URL): string {
  const p = url.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

/** RFC 6265 §5.1.3. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return isIP(host) === 0 && host.endsWith(`.${domain}`);
}

/** RFC 6265 §5.1.4. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

function matchingCookies(cookies: StoredCookie[], url: URL): StoredCookie[] {
  const host = url.hostname.toLowerCase();
  return cookies
    .filter((c) => (c.hostOnly ? c.domain === host : domainMatches(host, c.domain)))
    .filter((c) => pathMatches(url.pathname || '/', c.path))
    .filter((c) => !c.secure || url.protocol === 'https:' || isLoopback(host))
    // §5.4 step 2: longer paths first.
    .sort((a, b) => b.path.length - a.path.length);
}

export interface RedirectHop {
  url: string;
  status: number;
  location: string | undefined;
}

export interface FollowResult {
  /** The last response (not a redirect, or the one `stopAt` matched, or one with a non-http Location). */
  response: Response;
  /** URL of the last response. */
  url: string;
  /** Every response, in order, including the last. */
  hops: RedirectHop[];
  /** Where the last redirect pointed when the walk stopped at it (a client's redirect_uri, a custom scheme). */
  location: string | undefined;
}

export interface HttpClient {
  jar: CookieJar;
  /** One request with the jar's cookies; redirects are returned, not followed. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
  /**
   * Requests `url` and follows redirects like a browser (303, and 301/302 after POST, become GET;
   * 307/308 keep method and body). Stops before requesting a Location that `stopAt` accepts or
   * that is not http(s), so a client's redirect_uri need not be served.
   */
  follow(url: string | URL, init?: RequestInit, options?: { stopAt?: (location: URL) => boolean; maxRedirects?: number }): Promise<FollowResult>;
}

/**
 * A cookie-keeping fetch for walking sign-in pages like a browser would.
 *
 * @example
 * const http = createHttpClient();
 * const { location } = await http.follow(authorizeUrl, undefined, { stopAt: (u) => u.href.startsWith(redirectUri) });
 */
export function createHttpClient(options: { jar?: CookieJar; headers?: Record<string, string> } = {}): HttpClient {
  const jar = options.jar ?? createCookieJar();
  const client: HttpClient = {
    jar,
    async fetch(url, init = {}) {
      const headers = new Headers(options.headers);
      new Headers(init.headers).forEach((value, key) => headers.set(key, value));
      const cookie = jar.headerFor(url);
      if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
      const response = await fetch(url, { ...init, headers, redirect: 'manual' });
      jar.store(url, response);
      return response;
    },
    async follow(url, init = {}, { stopAt, maxRedirects = 20 } = {}) {
      let current = new URL(url);
      let request: RequestInit = init;
      const hops: RedirectHop[] = [];
      for (;;) {
        const response = await client.fetch(current, request);
        const location = response.headers.get('location') ?? undefined;
        hops.push({ url: current.href, status: response.status, location });
        if (!isRedirect(response.status) || location === undefined) return { response, url: current.href, hops, location: undefined };
        const next = new URL(location, current);
        if (!['http:', 'https:'].includes(next.protocol) || stopAt?.(next)) return { response, url: current.href, hops, location: next.href };
        if (hops.length > maxRedirects) throw new Error(`more than ${maxRedirects} redirects: ${hops.map((h) => h.url).join(' -> ')}`);
        await response.body?.cancel();
        request = nextRequest(request, response.status);
        current = next;
      }
    },
  };
  return client;
}

function isRedirect(status: number): boolean {
  return [301, 302, 303, 307, 308].includes(status);
}

function nextRequest(previous: RequestInit, status: number): RequestInit {
  const method = (previous.method ?? 'GET').toUpperCase();
  if (status === 307 || status === 308) return previous;
  if (status === 303 || method === 'POST') {
    const headers = new Headers(previous.headers);
    headers.delete('content-type');
    headers.delete('content-length');
    return { ...previous, method: method === 'HEAD' ? 'HEAD' : 'GET', body: undefined, headers };
  }
  return previous;
}

/** An application/x-www-form-urlencoded body. */
export function form(fields: Record<string, string | undefined>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) body.set(key, value);
  return body;
}

/** HTTP Basic client authentication; RFC 6749 §2.3.1 form-encodes id and secret before base64. */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}
