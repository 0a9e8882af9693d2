import { z } from 'zod';

const TemplateOverrideSchema = z.strictObject({
  subject: z.string().min(1).max(500).optional(),
  text: z.string().min(1).max(100_000).optional(),
  html: z.string().min(1).max(200_000).optional(),
});

/** Mail of one tenant: sender, language, and optional template overrides per template and locale. */
export const MailSettingsSchema = z.strictObject({
  from: z.string().min(3).max(320).default('Tessera <no-reply@localhost>'),
  defaultLocale: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).default('en'),
  /** `templates.reset-password.en = { subject, text, html }`; fields left out fall back to the built-in template. */
  templates: z.record(z.string(), z.record(z.string(), TemplateOverrideSchema)).default({}),
});

export type MailSettings = z.infer<typeof MailSettingsSchema>;
