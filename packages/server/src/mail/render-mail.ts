import { escapeHtml } from '../experience/html.js';
import { availableLocales, DEFAULT_LOCALE } from '../i18n/catalogs.js';
import { interpolate } from '../i18n/interpolate.js';
import { lookupLocale } from '../i18n/locale-chain.js';
import { createTranslator, type Translator } from '../i18n/translator.js';
import type { MailSettings } from './mail-settings.js';
import { parseTemplateVariables, placeholdersOf, type MailTemplateName } from './mail-templates.js';
import { readTemplateFile } from './template-files.js';

export interface MailToRender {
  to: string;
  template: MailTemplateName;
  /** The recipient's language (their account's, or negotiated); defaults to the tenant's. */
  locale?: string | undefined;
  settings: MailSettings;
  variables: Readonly<Record<string, string>>;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  /** The locale the mail was written in. */
  locale: string;
}

/** `{{#name}}…{{/name}}` is kept only when variable `name` is set, `{{^name}}…{{/name}}` only when it is not. */
const SKELETON_SECTION = /\{\{([#^])([A-Za-z][A-Za-z0-9_]*)\}\}([\s\S]*?)\{\{\/\2\}\}/g;

/** `{{catalog.key}}` (a message) or `{variable}`, matched in one pass so no value is expanded twice. */
const SKELETON_TOKEN = /\{\{([A-Za-z0-9_.-]+)\}\}|\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Renders a mail: the tenant's override for the locale where there is one (field by field),
 * else the built-in skeleton filled with the locale's catalog. Every variable is HTML-escaped
 * in the HTML part, in built-in and overridden templates alike (OWASP XSS Prevention, rule #1).
 */
export function renderMail(input: MailToRender): RenderedMail {
  const { template, settings } = input;
  const overrides = settings.templates[template] ?? {};
  const candidates = [...new Set([...availableLocales(), ...Object.keys(overrides)])];
  const locale = lookupLocale(input.locale ?? settings.defaultLocale, candidates)
    ?? lookupLocale(settings.defaultLocale, candidates) ?? DEFAULT_LOCALE;
  const override = overrides[locale] ?? {};
  const vars = withDerivedVariables(
    parseTemplateVariables(template, { ...input.variables, userName: input.variables.userName || input.to }),
    locale,
  );
  const t = createTranslator(locale, 'mail');
  // In an override, an optional variable that is not set (verify-email's `code`) reads as nothing.
  const overrideVars = { ...Object.fromEntries(placeholdersOf(template).map((name) => [name, ''])), ...vars };
  const subject = oneLine(override.subject ? interpolate(override.subject, overrideVars) : t.t(`${template}.subject` as never, vars));
  const text = override.text
    ? interpolate(override.text, overrideVars)
    : fillSkeleton(readTemplateFile('layout', 'txt'), t, vars, { content: fillSkeleton(readTemplateFile(template, 'txt'), t, vars) });
  const html = renderHtml(override.html && interpolate(override.html, overrideVars, escapeHtml), template, t, vars, { lang: locale, subject });
  return { subject, text, html, locale };
}

/** `overrideHtml` is the tenant's HTML with its variables already filled (and escaped). */
function renderHtml(
  overrideHtml: string | undefined, template: MailTemplateName, t: Translator<'mail'>,
  vars: Record<string, string>, page: { lang: string; subject: string },
): string {
  const content = overrideHtml ?? fillSkeleton(readTemplateFile(template, 'html'), t, vars, {}, escapeHtml);
  // An override that is a whole document keeps its own <html>; a fragment gets the layout.
  if (overrideHtml !== undefined && /<html[\s>]/i.test(overrideHtml)) return content;
  return fillSkeleton(readTemplateFile('layout', 'html'), t, { ...vars, ...page }, { content }, escapeHtml);
}

/**
 * Fills `{{key}}` with a message (or a raw, already-encoded part) and `{name}` with a variable.
 * Sections are resolved first, on the skeleton alone: no value is ever read as a section.
 */
function fillSkeleton(
  skeleton: string, t: Translator<'mail'>, vars: Record<string, string>,
  raw: Record<string, string> = {}, encode: (value: string) => string = (value) => value,
): string {
  const shown = skeleton.replace(SKELETON_SECTION, (_whole, kind: string, name: string, inner: string) =>
    ((kind === '#') === Object.hasOwn(vars, name) ? inner : ''));
  return shown.replace(SKELETON_TOKEN, (whole, key: string | undefined, name: string | undefined) => {
    if (key !== undefined) return Object.hasOwn(raw, key) ? raw[key]! : encode(t.t(key as never, vars));
    return name !== undefined && Object.hasOwn(vars, name) ? encode(vars[name]!) : whole;
  });
}

/** Adds `expiresIn`: `expiresInMinutes` as a localized duration ("24 hours", "15 Minuten"). */
function withDerivedVariables(vars: Record<string, string>, locale: string): Record<string, string> {
  if (vars.expiresInMinutes === undefined) return vars;
  return { ...vars, expiresIn: formatDuration(Number(vars.expiresInMinutes), locale) };
}

export function formatDuration(minutes: number, locale: string): string {
  // "24 hours" reads better than "1 day"; whole days only beyond two.
  const [value, unit] = minutes > 2880 && minutes % 1440 === 0 ? [minutes / 1440, 'day']
    : minutes % 60 === 0 ? [minutes / 60, 'hour'] : [minutes, 'minute'];
  try {
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value as number);
  } catch {
    return new Intl.NumberFormat(DEFAULT_LOCALE, { style: 'unit', unit, unitDisplay: 'long' }).format(value as number);
  }
}

/** A subject is one header line: folding whitespace only, so no value can start another header. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
