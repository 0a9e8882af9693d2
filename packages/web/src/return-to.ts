/**
 * A `returnTo` value made safe: only a path on this application's own origin, so the sign-in
 * routes can never be used as an open redirector (OWASP Unvalidated Redirects and Forwards;
 * RFC 9700 §4.11). Anything else (absolute URLs, `//host`, `/\host`, control characters) gives `/`.
 *
 * @example
 * safeReturnTo('/reports?year=2026'); // '/reports?year=2026'
 * safeReturnTo('//evil.example/');    // '/'
 */
export function safeReturnTo(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  const base = 'http://same-origin.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : fallback;
}
