import { exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from './fetch-json.js';
import { createJwksCache } from './jwks-cache.js';

/** An in-memory JWKS endpoint: its keys can change and it can go down. */
async function fakeIssuer() {
  const state = { keys: [] as JWK[], down: false, requests: 0, pending: [] as Array<() => void>, hold: false };
  const fetch: FetchLike = async () => {
    state.requests += 1;
    if (state.hold) await new Promise<void>((resolve) => state.pending.push(resolve));
    if (state.down) throw new Error('connection refused');
    return { status: 200, json: async () => ({ keys: state.keys }) };
  };
  const addKey = async (kid: string) => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    state.keys = [...state.keys, { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256' }];
    return (payload = {}) => new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid }).sign(pair.privateKey);
  };
  return { state, fetch, addKey };
}

describe('createJwksCache', () => {
  it('fetches once, then serves keys from memory', async () => {
    const issuer = await fakeIssuer();
    const sign = await issuer.addKey('k1');
    const keys = createJwksCache({ jwksUri: 'https://id.example/jwks', fetch: issuer.fetch, clock: () => 0 });
    for (let i = 0; i < 3; i++) await jwtVerify(await sign(), keys);
    expect(issuer.state.requests).toBe(1);
    expect(keys.version).toBe(1);
  });

  it('refetches on an unknown kid (rotation), at most once per cooldown', async () => {
    const issuer = await fakeIssuer();
    await issuer.addKey('k1');
    let now = 0;
    const keys = createJwksCache({ jwksUri: 'https://id.example/jwks', fetch: issuer.fetch, clock: () => now, cooldownMs: 30_000 });
    await keys.refresh();
    now = 1_000;
    const unknown = await (await fakeIssuer()).addKey('k9');
    await expect(jwtVerify(await unknown(), keys)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    expect(issuer.state.requests).toBe(1); // within the cooldown: no fetch for a stranger's kid
    const rotated = await issuer.addKey('k2');
    now = 31_000;
    await expect(jwtVerify(await rotated(), keys)).resolves.toBeDefined();
    expect(issuer.state.requests).toBe(2);
    expect(keys.version).toBe(2);
  });

  it('serves stale keys while refreshing in the background, and keeps them when the issuer is down', async () => {
    const issuer = await fakeIssuer();
    const sign = await issuer.addKey('k1');
    let now = 0;
    const keys = createJwksCache({ jwksUri: 'https://id.example/jwks', fetch: issuer.fetch, clock: () => now, maxAgeMs: 60_000 });
    await keys.refresh();
    now = 120_000;
    issuer.state.hold = true; // the refresh hangs: verification must not wait for it
    await expect(jwtVerify(await sign(), keys)).resolves.toBeDefined();
    expect(issuer.state.requests).toBe(2);
    issuer.state.down = true;
    issuer.state.pending.forEach((release) => release());
    await new Promise((resolve) => setImmediate(resolve));
    issuer.state.hold = false;
    await expect(jwtVerify(await sign(), keys)).resolves.toBeDefined();
    expect(keys.version).toBe(1);
  });

  it('does not count an unchanged key set as a change', async () => {
    const issuer = await fakeIssuer();
    await issuer.addKey('k1');
    let changes = 0;
    const keys = createJwksCache({ jwksUri: 'https://id.example/jwks', fetch: issuer.fetch, clock: () => 0, onChange: () => (changes += 1) });
    await keys.refresh();
    await keys.refresh();
    expect(changes).toBe(1);
  });
});
