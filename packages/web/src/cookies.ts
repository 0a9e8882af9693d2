/**
 * Cookie attributes the library sets (RFC 6265 §4.1).
 *
 * @example
 * exchange.set('app_session', value, { secure: true, maxAge: 3600 });
 */
export interface CookieAttributes {
  /** Seconds; 0 deletes the cookie. Undefined: a browser-session cookie. */
  maxAge?: number;
  secure: boolean;
  path?: string;
}

/**
 * A request's cookies and a way to add `Set-Cookie` headers to its response; the adapters build
 * one per request with `createCookieExchange`. Reads see this request's own writes.
 *
 * @example
 * const exchange = createCookieExchange(req.headers.cookie, (header) => res.append('Set-Cookie', header));
 */
export interface CookieExchange {
  get(name: string): string | undefined;
  names(): string[];
  set(name: string, value: string, attributes: CookieAttributes): void;
}

/**
 * Builds a `CookieExchange` from a `Cookie` request header and a function that appends one
 * `Set-Cookie` header to the response. Every cookie is HttpOnly and SameSite=Lax: out of reach of
 * scripts, and not sent on cross-site POSTs (OWASP Session Management Cheat Sheet).
 *
 * @example
 * const exchange = createCookieExchange(request.headers.cookie, (header) => reply.header('set-cookie', header));
 */
export function createCookieExchange(cookieHeader: string | undefined, appendSetCookie: (header: string) => void): CookieExchange {
  const cookies = parseCookieHeader(cookieHeader);
  return {
    get: (name) => cookies.get(name),
    names: () => [...cookies.keys()],
    set(name, value, attributes) {
      if (attributes.maxAge === 0) cookies.delete(name);
      else cookies.set(name, value);
      appendSetCookie(serializeCookie(name, value, attributes));
    },
  };
}

/** RFC 6265 §5.4: `name=value; name2=value2`; the first of two same-named cookies wins (longest path). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, pair.slice(eq + 1).trim());
  }
  return cookies;
}

export function serializeCookie(name: string, value: string, attributes: CookieAttributes): string {
  const parts = [`${name}=${value}`, `Path=${attributes.path ?? '/'}`, 'HttpOnly', 'SameSite=Lax'];
  if (attributes.secure) parts.push('Secure');
  if (attributes.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`);
    if (attributes.maxAge === 0) parts.push('Expires=Thu, 01 Jan 1970 00:00:00 GMT');
  }
  return parts.join('; ');
}
