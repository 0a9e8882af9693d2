import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createAbuseProtection, type AbuseProtection, type AbuseProtectionDeps } from './abuse-protection.js';
import { LimitSettingsSchema, type LimitSettings } from './limit-settings.js';
import type { AbuseEvent } from './sign-in-protection.js';

/** One store under test: how to make an instance on it (every instance shares its counters). */
export interface AbuseStoreTarget {
  name: string;
  create(deps: Pick<AbuseProtectionDeps, 'onBlock'>): AbuseProtection;
  /** Moves the store's clock forward; absent when the store keeps its own time (Redis). */
  advance?: ((ms: number) => void) | undefined;
  /** Every stored key and value of `tenantId`, as text, to prove nothing is stored in clear. */
  dump(tenantId: string): Promise<string>;
}

const defaults = LimitSettingsSchema.parse({});
const limitsWith = (input: Record<string, unknown>): LimitSettings => LimitSettingsSchema.parse(input);

/**
 * The shared case suite (STYLE.md §10): every store of the abuse protection must pass it.
 * Tenants are random per test, so runs against a shared Redis or database never collide.
 */
export function abuseProtectionCases(target: AbuseStoreTarget): void {
  describe(`abuse protection on ${target.name}`, () => {
    const opened: AbuseProtection[] = [];
    let events: AbuseEvent[];
    let tenant: string;
    let abuse: AbuseProtection;
    const open = () => {
      const instance = target.create({ onBlock: (event) => { events.push(event); } });
      opened.push(instance);
      return instance;
    };
    const fail = (times: number, account = 'user-1', ip = '192.0.2.1', limits = defaults, on = abuse) =>
      sequence(times, () => on.recordSignInFailure(tenant, limits, account, ip));

    beforeEach(() => {
      events = [];
      tenant = `t${randomBytes(4).toString('hex')}`;
      abuse = open();
    });
    afterAll(async () => {
      await Promise.all(opened.map((instance) => instance.close()));
    });

    it('delays the next attempt after 5 failures, doubling the delay with each further failure', async () => {
      const counted = await fail(4);
      expect(counted.map((r) => r.failures)).toEqual([1, 2, 3, 4]);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
      await fail(1);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toEqual({ allowed: false, reason: 'delayed', retryAfterSeconds: 1 });
      await fail(2);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toEqual({ allowed: false, reason: 'delayed', retryAfterSeconds: 4 });
      // Another address, or another account, is not delayed.
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.2')).toMatchObject({ allowed: true });
      expect(await abuse.checkSignIn(tenant, defaults, 'user-2', '192.0.2.1')).toMatchObject({ allowed: true });
    });

    it.skipIf(!target.advance)('lets the attempt through once the delay has passed (needs a movable clock)', async () => {
      await fail(6);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ reason: 'delayed', retryAfterSeconds: 2 });
      target.advance!(1_999);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ reason: 'delayed', retryAfterSeconds: 1 });
      target.advance!(1);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
    });

    it('blocks the account and address after 10 failures and reports blockedNow exactly once', async () => {
      const results = await fail(12);
      expect(results.map((r) => r.blockedNow)).toEqual([...Array(9).fill(false), true, false, false]);
      expect(results[9]).toEqual({ blockedNow: true, failures: 10 });
      expect(events).toEqual([{ type: 'signin.blocked', tenantId: tenant, accountKey: 'user-1', ip: '192.0.2.1', failures: 10, blockSeconds: 86_400 }]);
      const gate = await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1');
      expect(gate).toMatchObject({ allowed: false, reason: 'blocked' });
      expect(gate.allowed === false && gate.retryAfterSeconds).toBeGreaterThan(86_390);
      expect(gate.allowed === false && gate.retryAfterSeconds).toBeLessThanOrEqual(86_400);
    });

    it.skipIf(!target.advance)('ends a block after blockSeconds, and the next failure blocks again without a second report', async () => {
      await fail(10);
      target.advance!(86_400_000);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
      // The window (24 h from the first failure) has ended too: counting starts over.
      expect(await fail(1)).toEqual([{ blockedNow: false, failures: 1 }]);
      const short = limitsWith({ signIn: { blockSeconds: 60 } });
      await fail(10, 'user-2', '192.0.2.1', short);
      target.advance!(60_000);
      expect(await abuse.checkSignIn(tenant, short, 'user-2', '192.0.2.1')).toMatchObject({ allowed: true });
      expect(await fail(1, 'user-2', '192.0.2.1', short)).toEqual([{ blockedNow: false, failures: 11 }]);
      expect(await abuse.checkSignIn(tenant, short, 'user-2', '192.0.2.1')).toMatchObject({ reason: 'blocked', retryAfterSeconds: 60 });
      expect(events.filter((e) => e.type === 'signin.blocked')).toHaveLength(2);
    });

    it('forgets the failures of the account and address after a success, but not the per-IP count', async () => {
      // A clean first try has nothing to clear (callers then skip recordSignInSuccess).
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toEqual({ allowed: true, clean: true });
      await fail(2);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toEqual({ allowed: true, clean: false });
      await fail(5);
      await abuse.recordSignInSuccess(tenant, defaults, 'user-1', '192.0.2.1');
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toEqual({ allowed: true, clean: true });
      expect(await fail(1)).toEqual([{ blockedNow: false, failures: 1 }]);
      const perIp = limitsWith({ signInPerIp: { points: 8 } });
      expect(await abuse.checkSignIn(tenant, perIp, 'user-2', '192.0.2.1')).toMatchObject({ reason: 'ip_throttled' });
    });

    it('unblockAccount lifts the blocks and delays of the account from every address', async () => {
      await fail(10, 'user-1', '192.0.2.1');
      await fail(6, 'user-1', '192.0.2.2');
      await fail(10, 'user-2', '192.0.2.1');
      await abuse.unblockAccount(tenant, 'user-1');
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.2')).toMatchObject({ allowed: true });
      expect(await fail(1, 'user-1', '192.0.2.1')).toEqual([{ blockedNow: false, failures: 1 }]);
      // Only that account: another one stays blocked.
      expect(await abuse.checkSignIn(tenant, defaults, 'user-2', '192.0.2.1')).toMatchObject({ reason: 'blocked' });
      // A second unblock works the same (the generation keeps counting).
      await fail(9, 'user-1', '192.0.2.1');
      await abuse.unblockAccount(tenant, 'user-1');
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
    });

    it('throttles an address that fails on many accounts, with Retry-After up to the window, and reports it once', async () => {
      const limits = limitsWith({ signInPerIp: { points: 5, windowSeconds: 600 } });
      for (let i = 0; i < 6; i++) await abuse.recordSignInFailure(tenant, limits, `user-${i}`, '198.51.100.7');
      const gate = await abuse.checkSignIn(tenant, limits, 'someone-new', '198.51.100.7');
      expect(gate).toMatchObject({ allowed: false, reason: 'ip_throttled' });
      expect(gate.allowed === false && gate.retryAfterSeconds).toBeGreaterThan(590);
      expect(gate.allowed === false && gate.retryAfterSeconds).toBeLessThanOrEqual(600);
      expect(await abuse.checkSignIn(tenant, limits, 'someone-new', '198.51.100.8')).toMatchObject({ allowed: true });
      expect(events).toEqual([{ type: 'signin.throttled', tenantId: tenant, ip: '198.51.100.7', failures: 5, windowSeconds: 600 }]);
    });

    it('counts an IPv6 /64 as one address, in sign-in and in per-IP quotas', async () => {
      const limits = limitsWith({ signInPerIp: { points: 3 }, registrationPerIp: { points: 1 } });
      await fail(3, 'user-1', '2001:db8:1:2::a', limits);
      expect(await abuse.checkSignIn(tenant, limits, 'user-2', '2001:db8:1:2:ffff::b')).toMatchObject({ reason: 'ip_throttled' });
      expect(await abuse.checkSignIn(tenant, limits, 'user-2', '2001:db8:1:3::a')).toMatchObject({ allowed: true });
      expect(await abuse.consume(tenant, 'registrationPerIp', limits, '2001:db8:1:2::a')).toMatchObject({ allowed: true });
      expect(await abuse.consume(tenant, 'registrationPerIp', limits, '2001:db8:1:2::b')).toMatchObject({ allowed: false });
    });

    it('consume allows `points` requests per window per key and quota, then refuses with Retry-After', async () => {
      const limits = limitsWith({ registrationPerEmail: { points: 3, windowSeconds: 3600 } });
      const results = await sequence(4, () => abuse.consume(tenant, 'registrationPerEmail', limits, 'alice@example.com'));
      expect(results.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
      expect(results[3]).toMatchObject({ allowed: false });
      const refused = results[3] as { retryAfterSeconds: number };
      expect(refused.retryAfterSeconds).toBeGreaterThan(3590);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3600);
      expect(await abuse.consume(tenant, 'registrationPerEmail', limits, 'bob@example.com')).toMatchObject({ allowed: true });
      expect(await abuse.consume(tenant, 'recoveryPerEmail', limits, 'alice@example.com')).toMatchObject({ allowed: true });
      if (!target.advance) return;
      target.advance(3_600_000);
      expect(await abuse.consume(tenant, 'registrationPerEmail', limits, 'alice@example.com')).toMatchObject({ allowed: true });
    });

    it('keeps tenants apart', async () => {
      const other = `${tenant}x`;
      await fail(10);
      const quota = limitsWith({ verificationPerEmail: { points: 1 } });
      await abuse.consume(tenant, 'verificationPerEmail', quota, 'alice@example.com');
      expect(await abuse.checkSignIn(other, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
      expect(await abuse.consume(other, 'verificationPerEmail', quota, 'alice@example.com')).toMatchObject({ allowed: true });
      await abuse.unblockAccount(other, 'user-1');
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ reason: 'blocked' });
    });

    it('shares counts between two instances on the same store (two server nodes)', async () => {
      const node2 = open();
      await fail(3, 'user-1', '192.0.2.1', defaults, abuse);
      expect(await fail(2, 'user-1', '192.0.2.1', defaults, node2)).toEqual([
        { blockedNow: false, failures: 4 }, { blockedNow: false, failures: 5 },
      ]);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ reason: 'delayed' });
      await fail(5, 'user-1', '192.0.2.1', defaults, abuse);
      expect(await node2.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ reason: 'blocked' });
      await node2.unblockAccount(tenant, 'user-1');
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ allowed: true });
    });

    it('counts 20 parallel failures as 20, each with its own number', async () => {
      const roomy = limitsWith({ signIn: { delayAfter: 100, blockAfter: 1000 }, signInPerIp: { points: 1000 } });
      const results = await Promise.all(Array.from({ length: 20 }, () => abuse.recordSignInFailure(tenant, roomy, 'user-1', '192.0.2.1')));
      expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // The per-IP counter saw all 20 too: throttled at 20, not at 21.
      expect(await abuse.checkSignIn(tenant, limitsWith({ signInPerIp: { points: 20 } }), 'x', '192.0.2.1')).toMatchObject({ reason: 'ip_throttled' });
      expect(await abuse.checkSignIn(tenant, limitsWith({ signInPerIp: { points: 21 } }), 'x', '192.0.2.1')).toMatchObject({ allowed: true });
    });

    it('reports the block once when 20 failures arrive in parallel', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => abuse.recordSignInFailure(tenant, defaults, 'user-1', '192.0.2.1')));
      expect(results.filter((r) => r.blockedNow)).toHaveLength(1);
      expect(events.filter((e) => e.type === 'signin.blocked')).toHaveLength(1);
      expect(await abuse.checkSignIn(tenant, defaults, 'user-1', '192.0.2.1')).toMatchObject({ reason: 'blocked' });
    });

    it('stores neither emails nor addresses in clear', async () => {
      await abuse.recordSignInFailure(tenant, defaults, 'alice@example.com', '203.0.113.9');
      await abuse.consume(tenant, 'recoveryPerEmail', defaults, 'alice@example.com');
      await abuse.unblockAccount(tenant, 'alice@example.com');
      const stored = await target.dump(tenant);
      expect(stored).toContain(tenant);
      expect(stored).not.toMatch(/alice|example\.com|203\.0\.113/);
    });
  });
}

async function sequence<T>(times: number, step: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await step());
  return results;
}
