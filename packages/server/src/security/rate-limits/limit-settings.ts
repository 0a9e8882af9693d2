import { z } from 'zod';

const Window = (points: number, seconds: number) => z.strictObject({
  points: z.number().int().min(1).max(1_000_000).default(points),
  windowSeconds: z.number().int().min(1).max(86_400 * 7).default(seconds),
}).prefault({});

/** Brute-force and abuse limits of one tenant (OWASP ASVS V2.2.1, Authentication Cheat Sheet). */
export const LimitSettingsSchema = z.strictObject({
  /**
   * Per account and source IP: after `delayAfter` failures each further attempt waits 1 s, 2 s,
   * 4 s, … (at most 15 min); after `blockAfter` the pair is blocked for `blockSeconds`.
   */
  signIn: z.strictObject({
    delayAfter: z.number().int().min(1).max(100).default(5),
    blockAfter: z.number().int().min(2).max(1000).default(10),
    /** Failures are counted in a fixed window of this length starting at the first one; a success clears them. */
    windowSeconds: z.number().int().min(60).max(86_400 * 7).default(86_400),
    /** How long a block lasts unless lifted earlier (unblock link, password reset, admin). */
    blockSeconds: z.number().int().min(60).max(86_400 * 30).default(86_400),
  }).prefault({}),
  /** Per source IP across all accounts (credential stuffing): failed sign-ins per window, then 429. */
  signInPerIp: Window(100, 3600),
  /** Requests per window; `…PerEmail` counts by the (hashed) address the request names. */
  registrationPerIp: Window(20, 3600),
  registrationPerEmail: Window(3, 3600),
  recoveryPerIp: Window(20, 3600),
  recoveryPerEmail: Window(3, 3600),
  verificationPerEmail: Window(3, 3600),
  /** Device sign-in: user codes submitted on the verification page per IP (RFC 8628 §5.1 brute force). */
  deviceCodePerIp: Window(30, 3600),
});

export type LimitSettings = z.infer<typeof LimitSettingsSchema>;
