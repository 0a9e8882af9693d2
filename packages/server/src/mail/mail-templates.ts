import { z } from 'zod';

/** Variables every template has: who it is from and to whom it speaks. */
const CommonVariables = {
  tenantName: z.string().min(1).max(200),
  /** Defaults to the recipient's address when the account has no name. */
  userName: z.string().min(1).max(200),
};

/** Only http(s) links: a `javascript:` or `data:` URL must never become a button (OWASP XSS rule #5). */
const link = z.url({ protocol: /^https?$/ }).max(4000);
const expiresInMinutes = z.string().regex(/^[1-9]\d{0,5}$/, 'must be a whole number of minutes');
const code = z.string().regex(/^[0-9A-Z]{4,12}$/, 'must be 4 to 12 digits or capital letters');
const ip = z.string().min(1).max(100);

/**
 * The built-in templates and the variables each one needs. The HTML and text skeletons live in
 * packages/server/templates/mail/<name>.{html,txt}; their words in the i18n catalogs
 * (src/i18n/locales/<locale>/mail.ts).
 */
export const MAIL_TEMPLATE_VARIABLES = {
  /** `code` only when the request came through a flow (an app without a browser types it); else the link alone. */
  'verify-email': { ...CommonVariables, link, code: code.optional(), expiresInMinutes },
  'reset-password': { ...CommonVariables, link, code: code.optional(), expiresInMinutes },
  /** `ip`, when known, is where the change came from. */
  'password-changed': { ...CommonVariables, ip: ip.optional() },
  'account-blocked': { ...CommonVariables, link, ip, expiresInMinutes },
  'change-email': { ...CommonVariables, link, newEmail: z.email().max(320), expiresInMinutes },
  'email-changed': { ...CommonVariables, newEmail: z.string().min(1).max(320) },
  'account-deleted': { ...CommonVariables },
  /** A sign-in by email (identity/factors/email-code.ts): a magic link and a 6-digit code in one mail; `device` is what asked. */
  'signin-code': { ...CommonVariables, link, code, expiresInMinutes, device: z.string().max(200).optional() },
  /** To the owner of an address someone tried to register again: the sign-up page said nothing different. */
  'registration-attempt': { ...CommonVariables, signInLink: link, recoveryLink: link },
} as const;

export type MailTemplateName = keyof typeof MAIL_TEMPLATE_VARIABLES;
export const MAIL_TEMPLATE_NAMES = Object.keys(MAIL_TEMPLATE_VARIABLES) as MailTemplateName[];

export function isMailTemplateName(name: string): name is MailTemplateName {
  return Object.hasOwn(MAIL_TEMPLATE_VARIABLES, name);
}

/** The placeholders a tenant's override of `template` may use (with `expiresIn`, "24 hours", where there is an expiry). */
export function placeholdersOf(template: MailTemplateName): string[] {
  const names = Object.keys(MAIL_TEMPLATE_VARIABLES[template]);
  return names.includes('expiresInMinutes') ? [...names, 'expiresIn'] : names;
}

export class MailVariablesError extends Error {
  readonly code = 'mail.invalid_variables';
  constructor(template: string, problems: string) {
    super(`mail.invalid_variables: template ${template}: ${problems}`);
    this.name = 'MailVariablesError';
  }
}

/**
 * The variables of `template`, validated (a programming error throws `mail.invalid_variables`).
 * Extra variables are dropped: a template never shows a value nobody declared for it. Empty
 * strings count as absent.
 */
export function parseTemplateVariables(template: MailTemplateName, variables: Readonly<Record<string, string | undefined>>): Record<string, string> {
  // An empty value is no value: an optional variable is left out, a required one reported missing.
  const given = Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = z.object(MAIL_TEMPLATE_VARIABLES[template]).safeParse(given);
  if (!parsed.success) {
    // Names only: values may be links with tokens, which must not reach a log.
    throw new MailVariablesError(template, parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  return parsed.data as Record<string, string>;
}
