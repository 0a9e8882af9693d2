import { mail as enMail } from './locales/en/mail.js';
import { pages as enPages } from './locales/en/pages.js';

/**
 * Message catalogs: locale → namespace → key → string. English is the reference catalog;
 * its keys are the type of every other catalog, where each namespace and key is optional
 * and falls back to English. To add a language, see docs/i18n.md.
 */
export const REFERENCE_CATALOG = {
  mail: enMail,
  pages: enPages,
};

export type Namespace = keyof typeof REFERENCE_CATALOG;
export type MessageKey<N extends Namespace> = keyof (typeof REFERENCE_CATALOG)[N] & string;

/** Whether `key` is a key of the namespace (for codes that come from other modules as plain strings). */
export function isMessageKey<N extends Namespace>(namespace: N, key: string): key is MessageKey<N> {
  return Object.hasOwn(REFERENCE_CATALOG[namespace], key);
}

/** A translation: any subset of the reference catalog's namespaces and keys. */
export type LocaleCatalog = { [N in Namespace]?: Partial<Record<MessageKey<N>, string>> };

/** Registered locales. Register a new language here (docs/i18n.md). */
export const CATALOGS: Readonly<Record<string, LocaleCatalog>> = {
  en: REFERENCE_CATALOG,
};

export const DEFAULT_LOCALE = 'en';

/** The locales with a catalog, the default first. */
export function availableLocales(): string[] {
  return [DEFAULT_LOCALE, ...Object.keys(CATALOGS).filter((locale) => locale !== DEFAULT_LOCALE)];
}
