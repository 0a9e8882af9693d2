import { z } from 'zod';

const Window = (points: number, seconds: number) => z.strictObject({
  points: z.number().int().min(1).max(1_000_000).default(points),
  windowSeconds: z.number().int().min(1).max(86_400 * 7).default(seconds),
}).prefault({});

/** Brute-force and abuse limits of one tenant (OWASP ASVS V2.2.1, Authentication Cheat Sheet). */
export const LimitSettingsSchema = z.strictObject({
  /** Per account and source IP: a growing delay after `delayAfter` failures, a block after `blockAfter`. */
  signIn: z.strictObject({
    delayAfter: z.number().int().min(1).max(100).default(5),
    blockAfter: z.number().int().min(2).max(1000).default(10),
    /** Failures are forgotten this long after the last one. */
    windowSeconds: z.number().int().min(60).max(86_400 * 7).default(86_400),
    /** How long a block lasts unless lifted earlier (unblock link, password reset, admin). */
    blockSeconds: z.number().int().min(60).max(86_400 * 30).default(86_400),
  }).prefault({}),
  /** Per source IP across all accounts (credential stuffing): failed sign-ins. */
  signInPerIp: Window(100, 3600),
  registrationPerIp: Window(20, 3600),
  registrationPerEmail: Window(3, 3600),
  recoveryPerIp: Window(20, 3600),
  recoveryPerEmail: Window(3, 3600),
  verificationPerEmail: Window(3, 3600),
});

export type LimitSettings = z.infer<typeof LimitSettingsSchema>;
