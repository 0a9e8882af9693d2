import { describe, expect, it } from 'vitest';
import { REFERENCE_CATALOG, type LocaleCatalog } from './catalogs.js';
import { interpolate, placeholdersIn } from './interpolate.js';
import { createTranslator } from './translator.js';

/** A partial German catalog: one key translated, everything else falls back to English. */
const catalogs: Record<string, LocaleCatalog> = {
  en: REFERENCE_CATALOG,
  de: { mail: { 'common.greeting': 'Hallo {userName},' } },
  'pt-BR': { mail: { 'common.greeting': 'Olá {userName},' } },
};

describe('createTranslator', () => {
  it('translates with the locale and fills placeholders', () => {
    const { t, locale } = createTranslator('de', 'mail', catalogs);
    expect(locale).toBe('de');
    expect(t('common.greeting', { userName: 'Ada' })).toBe('Hallo Ada,');
  });

  it('falls back to English for a key the locale lacks', () => {
    const translator = createTranslator('de', 'mail', catalogs);
    expect(translator.t('account-deleted.subject', { tenantName: 'Acme' })).toBe('Your Acme account was deleted');
    expect(translator.has('account-deleted.subject')).toBe(false);
    expect(translator.has('common.greeting')).toBe(true);
  });

  it('uses the language of a regional tag, and English for a language without a catalog', () => {
    expect(createTranslator('de-CH', 'mail', catalogs).locale).toBe('de');
    expect(createTranslator('pt-br', 'mail', catalogs).t('common.greeting', { userName: 'Ana' })).toBe('Olá Ana,');
    const unknown = createTranslator('ja', 'mail', catalogs);
    expect(unknown.locale).toBe('en');
    expect(unknown.t('common.greeting', { userName: 'Ada' })).toBe('Hello Ada,');
    expect(createTranslator(undefined, 'mail', catalogs).locale).toBe('en');
  });

  it('ships English as the default catalog', () => {
    expect(createTranslator('en', 'mail').t('reset-password.subject', { tenantName: 'Acme' })).toBe('Reset your Acme password');
  });
});

describe('interpolate', () => {
  it('replaces in one pass: a value that looks like a placeholder stays literal', () => {
    expect(interpolate('{a} and {b}', { a: '{b}', b: 'B' })).toBe('{b} and B');
  });

  it('leaves unknown placeholders visible and encodes values only', () => {
    expect(interpolate('<b>{x}</b> {missing}', { x: '<i>' }, (v) => v.replace(/</g, '&lt;'))).toBe('<b>&lt;i></b> {missing}');
  });

  it('does not read inherited properties as variables', () => {
    expect(interpolate('{constructor}', {})).toBe('{constructor}');
  });

  it('lists placeholders once each', () => {
    expect(placeholdersIn('{a} {b} {a} {{c.d}}')).toEqual(['a', 'b']);
  });
});
