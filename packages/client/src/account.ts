/**
 * A signed-in user, from the ID token's claims (OIDC Core §2). Pass it back to
 * `acquireTokenSilent`. `homeAccountId` is `iss` and `sub` together: `sub` is unique only per
 * issuer (and, with pairwise subjects, per application).
 *
 * @example
 * ```ts
 * import type { Account } from '@tessera/client';
 * const account: Account = {
 *   homeAccountId: 'https://id.example.com/demo#5b0c…', issuer: 'https://id.example.com/demo', subject: '5b0c…', username: 'alice',
 * };
 * ```
 */
export interface Account {
  homeAccountId: string;
  issuer: string;
  subject: string;
  /** `preferred_username`, else `email`: for display only, never for authorization. */
  username?: string;
  /** `name`, for display. */
  name?: string;
}

/** The account an ID token describes. */
export function accountFromClaims(claims: { iss: string; sub: string; [claim: string]: unknown }): Account {
  const username = typeof claims.preferred_username === 'string' ? claims.preferred_username
    : typeof claims.email === 'string' ? claims.email : undefined;
  return {
    homeAccountId: `${claims.iss}#${claims.sub}`,
    issuer: claims.iss,
    subject: claims.sub,
    ...(username ? { username } : {}),
    ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
  };
}
