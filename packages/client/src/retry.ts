import type { Sleep } from './clock.js';
import { OAuthError } from './errors.js';

/**
 * How often a request is tried when the server says it is busy (`temporarily_unavailable`,
 * RFC 6749 §4.1.2.1) or fails (HTTP 5xx). Delays grow exponentially from `baseDelayMs` up to
 * `maxDelayMs`, with full jitter so that many clients do not retry in step.
 *
 * @example
 * ```ts
 * import type { RetryOptions } from '@tessera/client';
 * const retry: RetryOptions = { attempts: 5, baseDelayMs: 200 };
 * ```
 */
export interface RetryOptions {
  /** Tries in all, the first included. Default 3; 1 turns retries off. */
  attempts?: number;
  /** Default 500 ms. */
  baseDelayMs?: number;
  /** Default 10 s. */
  maxDelayMs?: number;
}

export interface RetryDependencies {
  sleep: Sleep;
  random?: () => number;
}

/** Whether an error from one try is worth another. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof OAuthError) return error.error === 'temporarily_unavailable' || error.status >= 500;
  return false;
}

/** Runs `attempt` until it succeeds, fails for good, or the tries run out. */
export async function withRetry<T>(attempt: () => Promise<T>, options: RetryOptions, dependencies: RetryDependencies): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const base = options.baseDelayMs ?? 500;
  const max = options.maxDelayMs ?? 10_000;
  const random = dependencies.random ?? Math.random;
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= attempts || !isRetryable(error)) throw error;
      await dependencies.sleep(Math.round(random() * Math.min(max, base * 2 ** (tried - 1))));
    }
  }
}
