import { describe, expect, it } from 'vitest';
import { lookupLocale } from './locale-chain.js';
import { negotiateLocale, parseAcceptLanguage } from './negotiate-locale.js';

const available = ['en', 'de', 'fr-CA', 'pt-BR'];

describe('negotiateLocale', () => {
  it('picks the highest-quality range that is available', () => {
    expect(negotiateLocale('fr;q=0.5, de;q=0.9, en;q=0.8', available)).toBe('de');
    expect(negotiateLocale('da, en-GB;q=0.8, en;q=0.7', available)).toBe('en');
  });

  it('truncates a range to find a match (RFC 4647 lookup) and ignores case', () => {
    expect(negotiateLocale('de-CH-1996', available)).toBe('de');
    expect(negotiateLocale('PT-br', available)).toBe('pt-BR');
  });

  it('matches the language of an available regional locale when nothing else does', () => {
    expect(negotiateLocale('fr-FR, fr;q=0.9', available)).toBe('fr-CA');
  });

  it('returns the first available locale for no header, *, or nothing acceptable', () => {
    expect(negotiateLocale(undefined, available)).toBe('en');
    expect(negotiateLocale('', available)).toBe('en');
    expect(negotiateLocale('*', available)).toBe('en');
    expect(negotiateLocale('ja, zh;q=0.5', available)).toBe('en');
  });

  it('treats q=0 as "not acceptable" and skips malformed ranges', () => {
    expect(negotiateLocale('de;q=0, fr-CA;q=0.1', available)).toBe('fr-CA');
    expect(parseAcceptLanguage('en;q=abc, <script>, de;q=2, fr;q=0.3')).toEqual([{ tag: 'fr', q: 0.3, position: 3 }]);
  });

  it('reads only the start of an absurdly long header', () => {
    const header = `${'xx-YY;q=0.1, '.repeat(10_000)}de`;
    expect(negotiateLocale(header, available)).toBe('en');
    expect(parseAcceptLanguage(header).length).toBeLessThanOrEqual(32);
  });
});

describe('lookupLocale', () => {
  it('skips a single-letter subtag when truncating', () => {
    expect(lookupLocale('de-x-private', ['de'])).toBe('de');
    expect(lookupLocale('zh-Hant-TW', ['zh-Hant'])).toBe('zh-Hant');
    expect(lookupLocale('ja', ['en'])).toBeUndefined();
  });
});
