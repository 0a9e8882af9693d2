import { GuardError } from './guard-error.js';

/** The subset of `fetch` the guard uses; inject one to add a proxy, a CA or a test double. */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal; redirect: 'manual' }) => Promise<{
  status: number;
  json(): Promise<unknown>;
}>;

/**
 * GETs a JSON document from an issuer (discovery, JWKS) with a timeout and without following
 * redirects; any failure is `ERR_GUARD_ISSUER_UNAVAILABLE` (503: the token may be fine).
 *
 * @example
 * ```ts
 * const jwks = await fetchJson(fetch, 'https://id.example.com/acme/jwks', 5000);
 * ```
 */
export async function fetchJson(fetchImpl: FetchLike, url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    const response = await fetchImpl(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    if (response.status !== 200) throw new Error(`status ${response.status}`);
    body = await response.json();
  } catch (cause) {
    throw new GuardError('ERR_GUARD_ISSUER_UNAVAILABLE', `could not fetch ${url}`, { cause });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GuardError('ERR_GUARD_ISSUER_UNAVAILABLE', `${url} did not return a JSON object`);
  }
  return body as Record<string, unknown>;
}
