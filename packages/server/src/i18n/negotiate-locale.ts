import { lookupLocale } from './locale-chain.js';

/** Longer headers are cut: real browsers send a few hundred bytes at most. */
const MAX_HEADER_LENGTH = 1000;
const MAX_RANGES = 32;

interface LanguageRange { tag: string; q: number; position: number }

/** Parses `de-CH, de;q=0.9, en;q=0.5` (RFC 9110 §12.5.4); ranges with q=0 or malformed ones are dropped. */
export function parseAcceptLanguage(header: string): LanguageRange[] {
  const ranges: LanguageRange[] = [];
  for (const [position, item] of header.slice(0, MAX_HEADER_LENGTH).split(',').slice(0, MAX_RANGES).entries()) {
    const [rawTag = '', ...params] = item.split(';');
    const tag = rawTag.trim();
    if (!/^(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)$/.test(tag)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    ranges.push({ tag, q, position });
  }
  return ranges.sort((a, b) => b.q - a.q || a.position - b.position);
}

/**
 * The best of `available` for an Accept-Language header: RFC 4647 lookup for each range by
 * descending quality; then any available locale of the same language (`de` → `de-AT`); then
 * `available[0]` (the default). `*` accepts the default.
 *
 * @example negotiateLocale('de-CH, fr;q=0.8', ['en', 'de']) // 'de'
 */
export function negotiateLocale(header: string | undefined | null, available: readonly string[]): string {
  const fallback = available[0] ?? 'en';
  if (!header) return fallback;
  const ranges = parseAcceptLanguage(header);
  for (const { tag } of ranges) {
    if (tag === '*') return fallback;
    const found = lookupLocale(tag, available);
    if (found) return found;
  }
  for (const { tag } of ranges) {
    const language = tag.split('-')[0]!.toLowerCase();
    const found = available.find((locale) => locale.split('-')[0]!.toLowerCase() === language);
    if (found) return found;
  }
  return fallback;
}
