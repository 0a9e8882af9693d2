import { createHash } from 'node:crypto';

/**
 * The store key of one counter: `<tenant id>:<SHA-256 hex>` of the tenant id and the parts.
 * The tenant prefix keeps tenants apart (and lets an operator find a tenant's keys); the hash keeps
 * emails, identifiers and addresses out of the database and Redis in clear. A plain hash, not an
 * HMAC: the counters only need the values kept out of sight of someone reading the store, not
 * secret from someone who can guess them (an email in a guessable list can be confirmed either way
 * by trying a sign-in), and a key would have to be shared by every node. The tenant id is hashed
 * too, so one precomputed table does not serve every tenant. JSON encoding makes the parts
 * unambiguous (`["a:b","c"]` ≠ `["a","b:c"]`).
 *
 * @example limitKey('acme', 'alice@example.com') // 'acme:3f0c…'
 */
export function limitKey(tenantId: string, ...parts: string[]): string {
  const digest = createHash('sha256').update(JSON.stringify([tenantId, ...parts])).digest('hex');
  return `${tenantId}:${digest}`;
}

/** Seconds to tell a client (Retry-After, RFC 9110 §10.2.3): whole seconds, at least 1. */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
