import type { RateLimiterRes } from 'rate-limiter-flexible';
import type { LimitSettings } from './limit-settings.js';
import { ipSubject } from './ip-subject.js';
import { limitKey, retryAfterSeconds } from './limit-keys.js';
import type { LimiterStore } from './limiter-store.js';

export type SignInGate =
  /** `clean`: no failures or delay recorded for this (account, IP), so a success has nothing to clear. */
  | { allowed: true; clean: boolean }
  | { allowed: false; reason: 'delayed' | 'blocked' | 'ip_throttled'; retryAfterSeconds: number };

/** Told once per crossing, for the audit log (`signin.blocked`, `signin.throttled`). */
export type AbuseEvent =
  | { type: 'signin.blocked'; tenantId: string; accountKey: string; ip: string; failures: number; blockSeconds: number }
  | { type: 'signin.throttled'; tenantId: string; ip: string; failures: number; windowSeconds: number };

export interface SignInProtectionDeps {
  store: LimiterStore;
  onBlock?: ((event: AbuseEvent) => Promise<void> | void) | undefined;
}

/** Longest growing delay between attempts before the block (OWASP: delays, not only lockout). */
export const MAX_SIGN_IN_DELAY_SECONDS = 900;

/**
 * The growing delay after failure `failures` (≥ delayAfter): 1 s, 2 s, 4 s, … doubling with each
 * failure, capped at 15 minutes. OWASP Authentication Cheat Sheet, "Account Lockout": an
 * exponential delay slows guessing without letting anyone lock a victim out cheaply.
 */
export function signInDelaySeconds(failures: number, delayAfter: number): number {
  return Math.min(2 ** Math.max(0, failures - delayAfter), MAX_SIGN_IN_DELAY_SECONDS);
}

/**
 * Brute-force protection of password sign-in (OWASP ASVS 5.0 V6.3.1 / 4.0 V2.2.1):
 * (a) failures per (account, source IP) in a fixed window; (b) a growing delay after
 * `delayAfter` of them; (c) a block of (account, IP) after `blockAfter`; (d) failures per IP
 * across every account (credential stuffing). Addresses count by {@link ipSubject} (IPv6 by
 * /64). Blocks and counts of an account are filed under its current *generation*, a
 * never-expiring per-account counter: unblocking bumps it, which lifts the blocks and forgets the
 * failures of that account for every IP at once, in any store.
 */
export function createSignInProtection(deps: SignInProtectionDeps) {
  const { store } = deps;
  const generations = () => store.limiter({ name: 'signin-generation', points: 1, duration: 0 });
  const failures = (l: LimitSettings) => store.limiter({ name: 'signin-failures', points: l.signIn.blockAfter, duration: l.signIn.windowSeconds });
  // Gates hold no count: `block()` writes a key that exists until the gate opens.
  const delays = () => store.limiter({ name: 'signin-delay', points: 1, duration: 1 });
  const blocks = () => store.limiter({ name: 'signin-block', points: 1, duration: 1 });
  const perIp = (l: LimitSettings) => store.limiter({ name: 'signin-ip', points: l.signInPerIp.points, duration: l.signInPerIp.windowSeconds });

  async function accountIpKey(tenantId: string, accountKey: string, ip: string): Promise<string> {
    const generation = (await generations().get(limitKey(tenantId, accountKey)))?.consumedPoints ?? 0;
    return accountIpKeyOf(tenantId, accountKey, generation, ip);
  }
  const accountIpKeyOf = (tenantId: string, accountKey: string, generation: number, ip: string) =>
    limitKey(tenantId, accountKey, String(generation), ipSubject(ip));
  const ipKey = (tenantId: string, ip: string) => limitKey(tenantId, ipSubject(ip));

  /** Block, per-IP count, delay and failures of (account, IP) under `generation`. */
  const gateReads = (tenantId: string, limits: LimitSettings, accountKey: string, generation: number, ip: string) => {
    const key = accountIpKeyOf(tenantId, accountKey, generation, ip);
    return [
      { limiter: blocks(), key }, { limiter: perIp(limits), key: ipKey(tenantId, ip) },
      { limiter: delays(), key }, { limiter: failures(limits), key },
    ];
  };

  return {
    /**
     * Before checking a password: refused while blocked, throttled or delayed (in that order).
     * One read: the account's generation together with the counters filed under generation 0,
     * which is every account's until an unblock; only after one is a second read needed.
     */
    async checkSignIn(tenantId: string, limits: LimitSettings, accountKey: string, ip: string): Promise<SignInGate> {
      const [generationRes, ...counters] = await store.getMany([
        { limiter: generations(), key: limitKey(tenantId, accountKey) }, ...gateReads(tenantId, limits, accountKey, 0, ip),
      ]);
      const generation = generationRes?.consumedPoints ?? 0;
      const [block, ipCount, delay, failed] = generation === 0
        ? counters
        : await store.getMany(gateReads(tenantId, limits, accountKey, generation, ip));
      if (isOpenGate(block)) return refuse('blocked', block);
      if (ipCount && ipCount.consumedPoints >= limits.signInPerIp.points) return refuse('ip_throttled', ipCount);
      if (isOpenGate(delay)) return refuse('delayed', delay);
      return { allowed: true, clean: !delay && !(failed && failed.consumedPoints > 0) };
    },

    /** After a wrong password (or an unknown account: callers treat both alike). */
    async recordSignInFailure(tenantId: string, limits: LimitSettings, accountKey: string, ip: string) {
      const key = await accountIpKey(tenantId, accountKey, ip);
      const [counted, ipCounted] = await Promise.all([
        failures(limits).penalty(key), perIp(limits).penalty(ipKey(tenantId, ip)),
      ]);
      const count = counted.consumedPoints;
      const { delayAfter, blockAfter, blockSeconds } = limits.signIn;
      // Every failure from the threshold on (re)blocks: a block that ran out while the window
      // still counts allows one attempt, not a fresh series. Only the crossing is reported.
      const blockedNow = count === blockAfter;
      if (count >= blockAfter) await blocks().block(key, blockSeconds);
      else if (count >= delayAfter) await delays().block(key, signInDelaySeconds(count, delayAfter));
      if (blockedNow) {
        await deps.onBlock?.({ type: 'signin.blocked', tenantId, accountKey, ip, failures: count, blockSeconds });
      }
      if (ipCounted.consumedPoints === limits.signInPerIp.points) {
        await deps.onBlock?.({
          type: 'signin.throttled', tenantId, ip, failures: ipCounted.consumedPoints, windowSeconds: limits.signInPerIp.windowSeconds,
        });
      }
      return { blockedNow, failures: count };
    },

    /** After a correct password: forgets this (account, IP)'s failures and delay, not the per-IP count. */
    async recordSignInSuccess(tenantId: string, limits: LimitSettings, accountKey: string, ip: string): Promise<void> {
      const key = await accountIpKey(tenantId, accountKey, ip);
      await Promise.all([failures(limits).delete(key), delays().delete(key)]);
    },

    /** Lifts every block and forgets every failure of the account, from every IP (unblock link, reset, admin). */
    async unblockAccount(tenantId: string, accountKey: string): Promise<void> {
      await generations().penalty(limitKey(tenantId, accountKey));
    },
  };
}

function isOpenGate(res: RateLimiterRes | null | undefined): res is RateLimiterRes {
  return res != null && res.msBeforeNext > 0;
}

function refuse(reason: 'delayed' | 'blocked' | 'ip_throttled', res: RateLimiterRes): SignInGate {
  return { allowed: false, reason, retryAfterSeconds: retryAfterSeconds(res.msBeforeNext) };
}

export type SignInProtection = ReturnType<typeof createSignInProtection>;
