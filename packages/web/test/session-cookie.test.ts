import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE } from '../src/chunked-cookie.js';
import { createCookieExchange, type CookieExchange } from '../src/cookies.js';
import { createSealer } from '../src/sealed-value.js';
import { createSessionCookie, type Session, type SessionStore } from '../src/session.js';

/**
 * The session cookie without a provider: chunking of large sessions, stale chunks cleared,
 * tampering, lifetimes on an injected clock, secret rotation, and the optional store.
 */

const SECRET = 'unit-test-secret-0123456789abcdefghijklmnop';
const HOUR = 3600 * 1000;

/** A browser in miniature: keeps what Set-Cookie says and sends it back on the next request. */
function browser() {
  const jar = new Map<string, string>();
  const headers: string[] = [];
  return {
    jar,
    headers,
    request(): CookieExchange {
      const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      return createCookieExchange(cookie, (header) => {
        headers.push(header);
        const [pair = ''] = header.split(';');
        const eq = pair.indexOf('=');
        if (/Max-Age=0/.test(header)) jar.delete(pair.slice(0, eq));
        else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
      });
    },
  };
}

function sessionOf(size: number, now: number): Session {
  return {
    user: { iss: 'https://id.example.com', sub: 'u1', aud: 'app', name: 'Alice' },
    idToken: 'x'.repeat(size),
    grantedScopes: ['openid'],
    tokens: {},
    createdAt: now,
    lastSeenAt: now,
  };
}

function setup(options: { store?: SessionStore; secrets?: string[] } = {}) {
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  const cookie = createSessionCookie({
    name: 'app_session', secure: true, clock, store: options.store,
    sealer: createSealer(options.secrets ?? [SECRET], 'session', clock), lifetimes: { absolute: 48 * 3600, idle: 8 * 3600 },
  });
  return { cookie, clock, advance: (ms: number) => { now += ms; } };
}

describe('session cookie', () => {
  it('round-trips a large session in chunks below 4 KB, and clears stale chunks when it shrinks', async () => {
    const { cookie, clock } = setup();
    const b = browser();
    const big = sessionOf(10_000, clock());
    await cookie.write(b.request(), big);
    const names = [...b.jar.keys()].sort();
    expect(names).toEqual(['app_session.0', 'app_session.1', 'app_session.2', 'app_session.3']);
    for (const header of b.headers) {
      expect(header.length).toBeLessThan(4096);
      expect(header).toMatch(/; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=\d+/);
    }
    expect([...b.jar.values()].every((v) => v.length <= CHUNK_SIZE)).toBe(true);
    expect(await cookie.read(b.request())).toEqual(big);

    const small = sessionOf(10, clock());
    await cookie.write(b.request(), small);
    expect([...b.jar.keys()]).toEqual(['app_session']);
    expect(await cookie.read(b.request())).toEqual(small);
  });

  it('treats a tampered or missing chunk as signed out', async () => {
    const { cookie, clock } = setup();
    const b = browser();
    await cookie.write(b.request(), sessionOf(5_000, clock()));
    const second = b.jar.get('app_session.1')!;
    b.jar.set('app_session.1', `${second.slice(0, 10)}${second[10] === 'a' ? 'b' : 'a'}${second.slice(11)}`);
    expect(await cookie.read(b.request())).toBeUndefined();
    b.jar.delete('app_session.1');
    expect(await cookie.read(b.request())).toBeUndefined();
  });

  it('ends after the idle lifetime and after the absolute lifetime, however active', async () => {
    const { cookie, clock, advance } = setup();
    const b = browser();
    await cookie.write(b.request(), sessionOf(10, clock()));
    advance(7 * HOUR);
    expect(await cookie.read(b.request())).toBeDefined(); // Activity moves the idle deadline.
    advance(7 * HOUR);
    expect(await cookie.read(b.request())).toBeDefined();
    advance(9 * HOUR);
    expect(await cookie.read(b.request())).toBeUndefined();

    await cookie.write(b.request(), sessionOf(10, clock()));
    for (let i = 0; i < 7; i++) {
      advance(7 * HOUR);
      const read = await cookie.read(b.request());
      if (i < 6) expect(read).toBeDefined();
      else expect(read).toBeUndefined(); // 49 hours > 48.
    }
  });

  it('opens cookies sealed with an older secret after rotation; a cookie of another app is refused', async () => {
    const old = setup({ secrets: ['old-secret-0123456789abcdefghijklmnopqr'] });
    const b = browser();
    await old.cookie.write(b.request(), sessionOf(10, old.clock()));
    const rotated = setup({ secrets: [SECRET, 'old-secret-0123456789abcdefghijklmnopqr'] });
    expect(await rotated.cookie.read(b.request())).toMatchObject({ user: { sub: 'u1' } });
    expect(await setup().cookie.read(b.request())).toBeUndefined();
  });

  it('with a store, keeps only an id in the cookie, renews it at sign-in and destroys it at sign-out', async () => {
    const entries = new Map<string, Session>();
    const store: SessionStore = {
      get: async (id) => entries.get(id),
      set: async (id, session) => { entries.set(id, session); },
      destroy: async (id) => { entries.delete(id); },
    };
    const { cookie, clock } = setup({ store });
    const b = browser();
    await cookie.write(b.request(), sessionOf(20_000, clock()), { rotate: true });
    expect([...b.jar.keys()]).toEqual(['app_session']);
    expect(b.jar.get('app_session')!.length).toBeLessThan(400);
    const [firstId] = entries.keys();
    expect(await cookie.read(b.request())).toMatchObject({ user: { sub: 'u1' } });

    await cookie.write(b.request(), sessionOf(10, clock()), { rotate: true });
    expect(entries.size).toBe(1);
    expect(entries.has(firstId!)).toBe(false);

    await cookie.destroy(b.request());
    expect(entries.size).toBe(0);
    expect(b.jar.size).toBe(0);
  });
});
