import { z } from 'zod';
import { placeholdersIn } from '../i18n/interpolate.js';
import { isMailTemplateName, MAIL_TEMPLATE_NAMES, placeholdersOf } from './mail-templates.js';

const TemplateOverrideSchema = z.strictObject({
  subject: z.string().min(1).max(500).optional(),
  text: z.string().min(1).max(100_000).optional(),
  html: z.string().min(1).max(200_000).optional(),
});

const LocaleSchema = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pt-BR');

/**
 * Overrides are checked where they are written (the configuration file): an unknown template or
 * a placeholder the template does not have is an error then, not a literal `{typo}` in a mail.
 */
const TemplatesSchema = z.record(z.string(), z.record(LocaleSchema, TemplateOverrideSchema)).default({})
  .superRefine((templates, context) => {
    for (const [template, locales] of Object.entries(templates)) {
      if (!isMailTemplateName(template)) {
        context.addIssue({ code: 'custom', path: [template], message: `unknown template; templates are ${MAIL_TEMPLATE_NAMES.join(', ')}` });
        continue;
      }
      const known = placeholdersOf(template);
      for (const [locale, override] of Object.entries(locales)) {
        for (const [part, text] of Object.entries(override)) {
          const unknown = placeholdersIn(text ?? '').filter((name) => !known.includes(name));
          if (unknown.length > 0) {
            context.addIssue({ code: 'custom', path: [template, locale, part], message: `unknown placeholder ${unknown.map((n) => `{${n}}`).join(', ')}; ${template} has ${known.map((n) => `{${n}}`).join(', ')}` });
          }
        }
      }
    }
  });

/** Mail of one tenant: sender, language, and optional template overrides per template and locale (docs/mail.md). */
export const MailSettingsSchema = z.strictObject({
  /** The From header, e.g. `Acme <no-reply@acme.example>`; its domain should pass SPF/DKIM for the SMTP relay. */
  from: z.string().min(3).max(320).regex(/^[^\r\n]+$/, 'must be one line').default('Tessera <no-reply@localhost>'),
  /** The language of mail to a recipient whose language is not known. */
  defaultLocale: LocaleSchema.default('en'),
  /** `templates.reset-password.en = { subject, text, html }`; fields left out fall back to the built-in template. */
  templates: TemplatesSchema,
});

export type MailSettings = z.infer<typeof MailSettingsSchema>;
