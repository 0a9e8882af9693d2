import { CATALOGS, DEFAULT_LOCALE, REFERENCE_CATALOG, type LocaleCatalog, type MessageKey, type Namespace } from './catalogs.js';
import { interpolate } from './interpolate.js';
import { localeChain } from './locale-chain.js';

export interface Translator<N extends Namespace> {
  /** The most specific registered locale used for `locale` (`de-CH` → `de`, unknown → `en`). */
  readonly locale: string;
  /** The message for `key`, with `{name}` placeholders filled from `vars` (not escaped). */
  t(key: MessageKey<N>, vars?: Readonly<Record<string, string | number>>): string;
  /** Whether the resolved locale itself (not a fallback) has the key. */
  has(key: MessageKey<N>): boolean;
}

/**
 * A translator for one namespace. Each key is looked up in the locale, then its less specific
 * forms (`pt-BR` → `pt`), then English, so a partial translation still renders every message.
 *
 * @example createTranslator('de-CH', 'mail').t('common.greeting', { userName: 'Ada' })
 */
export function createTranslator<N extends Namespace>(
  locale: string | undefined,
  namespace: N,
  catalogs: Readonly<Record<string, LocaleCatalog>> = CATALOGS,
): Translator<N> {
  const chain = localeChain(locale, Object.keys(catalogs), DEFAULT_LOCALE);
  const tables = chain.map((name) => (catalogs[name]?.[namespace] ?? {}) as Partial<Record<string, string>>);
  const reference = REFERENCE_CATALOG[namespace] as Record<string, string>;
  const own = tables[0] ?? {};
  return {
    locale: chain[0] ?? DEFAULT_LOCALE,
    t(key, vars = {}) {
      const message = tables.map((table) => table[key]).find((value) => value !== undefined) ?? reference[key] ?? key;
      return interpolate(message, vars);
    },
    has: (key) => own[key] !== undefined,
  };
}
