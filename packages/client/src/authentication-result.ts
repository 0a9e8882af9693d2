import type { Account } from './account.js';

/**
 * What every `acquireToken*` call resolves to.
 *
 * @example
 * ```ts
 * import type { AuthenticationResult } from '@tessera/client';
 * function authorization(result: AuthenticationResult): string {
 *   return `${result.tokenType} ${result.accessToken}`;
 * }
 * ```
 */
export interface AuthenticationResult {
  accessToken: string;
  /** `Bearer` (RFC 6750). */
  tokenType: string;
  expiresOn: Date;
  /** The scopes granted, as the server said (`scope` in the response), else as requested. */
  scopes: string[];
  /** Present after a user sign-in. */
  idToken?: string;
  /** Validated by oauth4webapi (issuer, audience, expiry, nonce). */
  idTokenClaims?: Record<string, unknown>;
  account?: Account;
  /** True when the token came from the cache without a request. */
  fromCache: boolean;
}
