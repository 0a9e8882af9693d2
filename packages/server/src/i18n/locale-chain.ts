/**
 * RFC 4647 §3.4 lookup: the first of `available` that equals `tag` or one of its truncations
 * (`de-CH-1996` → `de-CH` → `de`), compared case-insensitively; undefined if none.
 */
export function lookupLocale(tag: string, available: readonly string[]): string | undefined {
  const byLower = new Map(available.map((locale) => [locale.toLowerCase(), locale]));
  const parts = tag.trim().toLowerCase().replace(/_/g, '-').split('-');
  while (parts.length > 0) {
    const found = byLower.get(parts.join('-'));
    if (found) return found;
    parts.pop();
    // A single-letter subtag (`x`, `u`) never stands alone at the end of a truncation.
    if (parts.length > 0 && parts[parts.length - 1]!.length === 1) parts.pop();
  }
  return undefined;
}

/** The locales to try for `tag`, most specific first, ending with `fallback`; no repeats. */
export function localeChain(tag: string | undefined, available: readonly string[], fallback: string): string[] {
  const chain: string[] = [];
  const add = (locale: string | undefined) => { if (locale && !chain.includes(locale)) chain.push(locale); };
  if (tag) {
    const parts = tag.trim().replace(/_/g, '-').split('-');
    for (let length = parts.length; length > 0; length -= 1) add(lookupLocale(parts.slice(0, length).join('-'), available));
  }
  add(fallback);
  return chain;
}
