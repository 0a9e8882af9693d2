/**
 * The current time in epoch milliseconds. Injected so that expiry and polling are testable
 * without waiting.
 *
 * @example
 * ```ts
 * import type { Clock } from '@tessera/client';
 * let now = Date.parse('2030-01-01T00:00:00Z');
 * const clock: Clock = () => now;
 * ```
 */
export type Clock = () => number;

/**
 * Waits `ms` milliseconds. Injected so that backoff and device-code polling are testable:
 * a test's sleep advances its fake clock instead.
 *
 * @example
 * ```ts
 * import type { Sleep } from '@tessera/client';
 * let now = 0;
 * const sleep: Sleep = async (ms) => { now += ms; };
 * ```
 */
export type Sleep = (ms: number) => Promise<void>;

export const systemClock: Clock = () => Date.now();

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
