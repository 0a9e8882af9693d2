import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, startLocalIssuer } from '../test/local-issuer.js';
import type { LocalIssuer } from '../test/local-issuer.js';
import { createGuard } from './create-guard.js';
import type { FetchLike } from './fetch-json.js';

let issuer: LocalIssuer;
beforeAll(async () => {
  issuer = await startLocalIssuer();
});
afterAll(() => issuer?.close());

describe('createGuard', () => {
  it('refuses none and HMAC algorithms at construction (RFC 8725 §3.1)', () => {
    expect(() => createGuard({ issuer: 'https://a.example', audience: 'x', algorithms: ['none'] })).toThrow(/not allowed/);
    expect(() => createGuard({ issuer: 'https://a.example', audience: 'x', algorithms: ['RS256', 'HS256'] })).toThrow(/HS256/);
  });

  it('fetches nothing for a token from an untrusted issuer', async () => {
    let fetches = 0;
    const counting: FetchLike = (url, init) => ((fetches += 1), fetch(url, init));
    const guard = createGuard({ issuer: (iss) => iss === issuer.issuer, audience: AUDIENCE, fetch: counting });
    await expect(guard.verify(await issuer.sign({ iss: 'http://127.0.0.1:1/evil' }))).rejects.toMatchObject({ code: 'ERR_GUARD_TOKEN_INVALID' });
    expect(fetches).toBe(0);
    await expect(guard.verify(await issuer.sign())).resolves.toMatchObject({ sub: 'daemon-1' });
    expect(fetches).toBe(2); // discovery + JWKS
  });

  it('answers 503 (not 401, never 500) when the issuer cannot be reached', async () => {
    const guard = createGuard({ issuer: 'http://127.0.0.1:1/nobody', audience: AUDIENCE });
    await expect(guard.verify(await issuer.sign({ iss: 'http://127.0.0.1:1/nobody' }))).rejects.toMatchObject({ code: 'ERR_GUARD_ISSUER_UNAVAILABLE', status: 503 });
  });

  it('accepts typ JWT only when configured (providers that do not set at+jwt)', async () => {
    const token = await issuer.sign({}, { typ: 'JWT' });
    const strict = createGuard({ issuer: issuer.issuer, audience: AUDIENCE });
    const lenient = createGuard({ issuer: issuer.issuer, audience: AUDIENCE, typ: ['at+jwt', 'jwt'] });
    await expect(strict.verify(token)).rejects.toMatchObject({ code: 'ERR_GUARD_TOKEN_INVALID' });
    await expect(lenient.verify(token)).resolves.toMatchObject({ sub: 'daemon-1' });
  });

  it('verified-token cache: a repeated token skips verification until its exp; a key change clears it', async () => {
    let now = Date.now();
    const guard = createGuard({ issuer: issuer.issuer, audience: AUDIENCE, cache: { maxEntries: 100 }, clock: () => now, jwks: { cooldownMs: 0 } });
    const token = await issuer.sign({ exp: Math.floor(now / 1000) + 120 });
    const first = await guard.verify(token);
    expect(await guard.verify(token)).toBe(first); // same frozen object: served from the cache
    expect(Object.isFrozen(first)).toBe(true);
    now += 121_000 + 60_000; // past exp and the skew
    await expect(guard.verify(token)).rejects.toMatchObject({ code: 'ERR_GUARD_TOKEN_EXPIRED' });
    now = Date.now();
    const fresh = await issuer.sign();
    const cached = await guard.verify(fresh);
    await issuer.rotate('es-2');
    await guard.verify(await issuer.sign({}, { kid: 'es-2' })); // unknown kid → refetch → key set changed
    expect(await guard.verify(fresh)).not.toBe(cached); // verified again, not from the cache
  });
});
