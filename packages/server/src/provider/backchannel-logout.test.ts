import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchAllowingLoopbackLogout } from './backchannel-logout.js';

/** oidc-provider's SSRF guard (its `dispatcher`) is dropped for logout tokens to loopback hosts only. */
describe('fetchAllowingLoopbackLogout', () => {
  const guard = { name: 'ssrf-guard' };
  const fetch = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 200 }));
  afterEach(() => fetch.mockClear());

  const dispatcherOf = async (url: string, body: BodyInit | undefined) => {
    await fetchAllowingLoopbackLogout(url, { method: 'POST', body, dispatcher: guard } as RequestInit);
    return (fetch.mock.calls[0]![1] as { dispatcher?: unknown }).dispatcher;
  };
  const logoutToken = () => new URLSearchParams({ logout_token: 'eyJ.x.y' });

  it.each(['http://127.0.0.1:8080/logout', 'http://localhost/logout', 'http://[::1]:9/logout'])('drops the guard for a logout token to %s', async (url) => {
    expect(await dispatcherOf(url, logoutToken())).toBeUndefined();
  });

  it.each(['http://10.0.0.5/logout', 'http://192.168.1.2/logout', 'http://169.254.169.254/latest', 'https://127.0.0.1.nip.io/logout', 'https://app.example/logout'])(
    'keeps the guard for %s', async (url) => {
      expect(await dispatcherOf(url, logoutToken())).toBe(guard);
    },
  );

  it('keeps the guard for other requests to loopback', async () => {
    expect(await dispatcherOf('http://127.0.0.1:8080/jwks', undefined)).toBe(guard);
    expect(await dispatcherOf('http://127.0.0.1:8080/x', new URLSearchParams({ other: '1' }))).toBe(guard);
  });
});
