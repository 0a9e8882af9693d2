/** Reads one cookie from a Cookie header (RFC 6265 §5.4); values are never decoded beyond percent-encoding. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * A session cookie: HttpOnly, SameSite=Lax, Secure on https, scoped to the tenant's path
 * (OWASP Session Management Cheat Sheet). `maxAge` 0 deletes it.
 */
export function sessionCookie(options: { name: string; value: string; path: string; secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${options.name}=${encodeURIComponent(options.value)}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
