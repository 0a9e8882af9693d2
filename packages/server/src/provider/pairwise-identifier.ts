import { createHash } from 'node:crypto';

/**
 * `sub` differs per application (OIDC Core §8.1), so two applications cannot correlate a
 * user by `sub`; `oid` is the stable id for that. Keyed by the tenant's random salt.
 */
export function createPairwiseIdentifier(salt: string) {
  return async (_ctx: unknown, accountId: string, client: { clientId: string }): Promise<string> =>
    createHash('sha256').update(`${salt}\0${client.clientId}\0${accountId}`).digest('base64url');
}
