import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../../db/database.js';
import type { LimitSettings } from './limit-settings.js';
import { ipSubject } from './ip-subject.js';
import { limitKey, retryAfterSeconds } from './limit-keys.js';
import { createLimiterStore, type LimiterStore } from './limiter-store.js';
import { createSignInProtection, type AbuseEvent, type SignInGate } from './sign-in-protection.js';

export type QuotaName = 'registrationPerIp' | 'registrationPerEmail' | 'recoveryPerIp' | 'recoveryPerEmail' | 'verificationPerEmail';
export type QuotaResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };
export type { AbuseEvent, SignInGate };

export interface AbuseProtectionDeps {
  db: Db;
  /** Redis URL (`REDIS_URL`): counters shared by every server node. Unset: the database. */
  redisUrl?: string | undefined;
  /** Told once when an (account, IP) gets blocked and when an IP crosses its sign-in limit. */
  onBlock?: ((event: AbuseEvent) => Promise<void> | void) | undefined;
  /**
   * Epoch milliseconds, for the database store. rate-limiter-flexible itself reads no clock on the
   * paths we use; Redis expires keys on the Redis server's clock, so Redis cannot be time-shifted.
   */
  clock?: (() => number) | undefined;
}

/**
 * Brute-force and abuse protection of one server (all tenants; every key starts with the tenant
 * id, and every call takes that tenant's LimitSettings). See docs/brute-force.md.
 *
 * @example
 * const abuse = createAbuseProtection({ db, redisUrl: env.REDIS_URL, onBlock: (e) => audit(e) });
 * const gate = await abuse.checkSignIn(tenant.id, settings.limits, user?.id ?? identifier, ip);
 * if (!gate.allowed) return reply.code(429).header('retry-after', String(gate.retryAfterSeconds));
 */
export function createAbuseProtection(deps: AbuseProtectionDeps & { store?: LimiterStore }) {
  // A store passed in belongs to the caller (one per server); closing is then theirs.
  const owned = !deps.store;
  const store = deps.store ?? createLimiterStore(deps);
  const signIn = createSignInProtection({ store, onBlock: deps.onBlock });
  return {
    /** `database` or `redis`: for the startup log line. */
    storeKind: store.kind,
    checkSignIn: signIn.checkSignIn,
    recordSignInFailure: signIn.recordSignInFailure,
    recordSignInSuccess: signIn.recordSignInSuccess,
    unblockAccount: signIn.unblockAccount,

    /**
     * Counts one registration, recovery or verification request against `key` (an IP or an email,
     * hashed before it is stored; `…PerIp` keys count IPv6 by /64). Refused calls count too: a
     * fixed window, retry after it ends.
     */
    async consume(tenantId: string, limit: QuotaName, limits: LimitSettings, key: string): Promise<QuotaResult> {
      const { points, windowSeconds } = limits[limit];
      try {
        const subject = limit.endsWith('PerIp') ? ipSubject(key) : key;
        await store.limiter({ name: limit, points, duration: windowSeconds }).consume(limitKey(tenantId, subject));
        return { allowed: true };
      } catch (error) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the limit is reached, an Error when the store fails.
        if (error instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: retryAfterSeconds(error.msBeforeNext) };
        throw error;
      }
    },

    close: () => (owned ? store.close() : Promise.resolve()),
  };
}

export type AbuseProtection = ReturnType<typeof createAbuseProtection>;
