import { GuardError } from './guard-error.js';

/** Longest `Authorization` header the guard reads; a token larger than this is no token we issue. */
export const MAX_AUTHORIZATION_HEADER_BYTES = 8192;

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** The usual well-formed header, accepted in one scan; anything else takes the checks below for its precise error. */
const WELL_FORMED = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\-._~+/]+=*)$/;

/**
 * Reads the bearer token from an `Authorization` header value (RFC 6750 §2.1): exactly one
 * `Bearer` credential, scheme case-insensitive, b64token characters only, at most
 * {@link MAX_AUTHORIZATION_HEADER_BYTES}. Throws a {@link GuardError} otherwise.
 *
 * @example
 * ```ts
 * const token = readBearerToken(req.headers.authorization); // 'eyJ...'
 * ```
 */
export function readBearerToken(header: string | readonly string[] | undefined | null): string {
  if (header === undefined || header === null || header === '') {
    throw new GuardError('ERR_GUARD_TOKEN_MISSING', 'no access token in the request');
  }
  if (typeof header !== 'string') {
    if (header.length !== 1) throw malformed('more than one Authorization header');
    return readBearerToken(header[0]);
  }
  if (header.length <= MAX_AUTHORIZATION_HEADER_BYTES) {
    const match = WELL_FORMED.exec(header);
    if (match) return match[1]!;
  }
  if (header.length > MAX_AUTHORIZATION_HEADER_BYTES) {
    throw malformed(`Authorization header longer than ${MAX_AUTHORIZATION_HEADER_BYTES} bytes`);
  }
  const space = header.indexOf(' ');
  const scheme = space === -1 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw malformed('Authorization header does not use the Bearer scheme');
  const credentials = header.slice(space + 1).trim();
  if (space === -1 || credentials === '') throw malformed('Bearer scheme without a token');
  if (/[\s,]/.test(credentials)) throw malformed('more than one token in the Authorization header');
  if (!B64TOKEN.test(credentials)) throw malformed('token contains characters outside the b64token set');
  return credentials;
}

/**
 * The `Authorization` field of a Node request, from `req.rawHeaders`. Unlike `req.headers`,
 * which keeps the first of several `Authorization` fields and silently drops the rest, several
 * come back as a list, which {@link readBearerToken} refuses: the field is not a list
 * (RFC 9110 §5.3), and two credentials are ambiguous.
 *
 * @example
 * ```ts
 * const token = readBearerToken(authorizationFromRawHeaders(req.rawHeaders));
 * ```
 */
export function authorizationFromRawHeaders(rawHeaders: readonly string[]): string | string[] | undefined {
  let found: string | string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
    const value = rawHeaders[i + 1]!;
    found = found === undefined ? value : [...(typeof found === 'string' ? [found] : found), value];
  }
  return found;
}

function malformed(description: string): GuardError {
  return new GuardError('ERR_GUARD_TOKEN_MALFORMED', description);
}
