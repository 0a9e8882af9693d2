import { z } from 'zod';

/**
 * TESSERA_SMTP_URL: where mail is delivered, `smtp://user:pass@host:587` (STARTTLS when the
 * server offers it) or `smtps://user:pass@host:465` (TLS from the start). Unset or empty: the
 * development outbox. Merge into SettingsSchema (config/settings.ts).
 */
export const SmtpUrlSchema = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
  z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
);

export const MailEnvSchema = z.object({ TESSERA_SMTP_URL: SmtpUrlSchema });
