import { describe, expectTypeOf, it } from 'vitest';
import * as client from '../src/index.js';
import type {
  Account, AuthenticationResult, ClientApplication, ClientApplicationOptions, ClientCredential, DeviceCodeInfo, TokenCache, TokenCacheEntry,
} from '../src/index.js';

/** Type tests for the public API (what a user's editor sees). */
describe('public API types', () => {
  it('createClientApplication takes options and returns the acquire methods', () => {
    expectTypeOf(client.createClientApplication).parameter(0).toEqualTypeOf<ClientApplicationOptions>();
    expectTypeOf(client.createClientApplication).returns.toEqualTypeOf<ClientApplication>();
    expectTypeOf<ClientApplication['acquireTokenForClient']>().returns.resolves.toEqualTypeOf<AuthenticationResult>();
    expectTypeOf<ClientApplication['acquireTokenSilent']>().parameter(0).toHaveProperty('account').toEqualTypeOf<Account>();
    expectTypeOf<ClientApplication['acquireTokenOnBehalfOf']>().parameter(0).toHaveProperty('userAssertion').toEqualTypeOf<string>();
    expectTypeOf<ClientApplication['acquireTokenByDeviceCode']>().parameter(0).toHaveProperty('onCode')
      .toEqualTypeOf<(info: DeviceCodeInfo) => void | Promise<void>>();
  });

  it('credentials are a secret or a certificate, never both', () => {
    expectTypeOf<{ clientSecret: string }>().toMatchTypeOf<ClientCredential>();
    expectTypeOf<{ certificate: { privateKey: string; certificatePem: string } }>().toMatchTypeOf<ClientCredential>();
    expectTypeOf<{ password: string }>().not.toMatchTypeOf<ClientCredential>();
  });

  it('a cache may be synchronous or asynchronous', () => {
    expectTypeOf<{ get: (key: string) => Promise<TokenCacheEntry | undefined>; set: (key: string, entry: TokenCacheEntry) => Promise<void>; delete: (key: string) => Promise<void> }>()
      .toMatchTypeOf<TokenCache>();
    expectTypeOf(client.createMemoryCache()).toEqualTypeOf<TokenCache>();
  });

  it('errors carry the OAuth error and a code', () => {
    expectTypeOf<client.OAuthError['error']>().toEqualTypeOf<string>();
    expectTypeOf<client.OAuthError['code']>().toEqualTypeOf<string>();
    expectTypeOf<client.InteractionRequiredError>().toMatchTypeOf<client.OAuthError>();
    expectTypeOf<AuthenticationResult['expiresOn']>().toEqualTypeOf<Date>();
  });
});
