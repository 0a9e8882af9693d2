import { z } from 'zod';
import type { Db } from '../db/database.js';
import { createHttpSmsSender } from './http-sms-sender.js';
import { createOutboxSmsSender } from './outbox-sms-sender.js';

/** One text message: to a phone number in E.164 (`+15551234567`), for a tenant. */
export interface SmsMessage {
  tenantId: string;
  to: string;
  text: string;
}

/**
 * Sends text messages (SMS codes, identity/factors/sms-code.ts). Throws `SmsSendError`
 * (`sms.send_failed`) when the provider refuses or does not answer.
 */
export interface SmsSender {
  /** `http` delivers through the configured provider; `outbox` writes to the development outbox. */
  readonly mode: 'http' | 'outbox';
  send(message: SmsMessage): Promise<void>;
}

export class SmsSendError extends Error {
  readonly code = 'sms.send_failed';
  constructor(reason: string, options?: { cause?: unknown }) {
    // The reason only (a status, a timeout): never the number or the text, which holds a code.
    super(`sms.send_failed: ${reason}`, options);
    this.name = 'SmsSendError';
  }
}

/** E.164: a plus, then 8 to 15 digits, the first not 0 (ITU-T E.164 §6). */
export const E164Schema = z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be a phone number in international format, like +15551234567');

const emptyIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/**
 * TESSERA_SMS_URL: the provider's endpoint (http or https); unset: the development outbox.
 * TESSERA_SMS_TOKEN: sent as `Authorization: Bearer …` when set.
 */
export const SmsEnvSchema = z.object({
  TESSERA_SMS_URL: z.preprocess(emptyIsUnset, z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional()),
  TESSERA_SMS_TOKEN: z.preprocess(emptyIsUnset, z.string().max(4096).optional()),
});
export type SmsEnv = z.infer<typeof SmsEnvSchema>;

/** Reads the SMS settings from the environment; an invalid value stops the server with the variable's name. */
export function readSmsEnv(env: NodeJS.ProcessEnv = process.env): SmsEnv {
  const parsed = SmsEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`settings.invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** The HTTP provider when TESSERA_SMS_URL is set, else the development outbox (the table `mail_outbox`). */
export function createSmsSender(options: { env: SmsEnv; db: Db; clock?: () => Date; timeoutMs?: number }): SmsSender {
  if (options.env.TESSERA_SMS_URL) {
    return createHttpSmsSender({ url: options.env.TESSERA_SMS_URL, token: options.env.TESSERA_SMS_TOKEN, timeoutMs: options.timeoutMs ?? 5000 });
  }
  return createOutboxSmsSender({ db: options.db, clock: options.clock ?? (() => new Date()) });
}

/** Start-up warnings about SMS (STYLE.md §9). */
export function smsWarnings(env: SmsEnv): string[] {
  return env.TESSERA_SMS_URL ? [] : ['No TESSERA_SMS_URL: SMS codes go to the development outbox (tessera mail list, /dev/outbox) and are not delivered.'];
}
