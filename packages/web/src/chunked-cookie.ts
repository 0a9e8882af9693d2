import type { CookieAttributes, CookieExchange } from './cookies.js';

/**
 * Browsers keep at most 4096 bytes per cookie, name and attributes included (RFC 6265 §6.1):
 * a large value is split into `name.0`, `name.1`… of this many characters each.
 */
export const CHUNK_SIZE = 3800;

const chunkIndex = (base: string, name: string) => {
  if (!name.startsWith(`${base}.`)) return undefined;
  const rest = name.slice(base.length + 1);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
};

/** The value of `name`, or of its chunks joined in order; undefined if absent or a chunk is missing. */
export function readChunkedCookie(exchange: CookieExchange, name: string): string | undefined {
  const whole = exchange.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; ; i++) {
    const chunk = exchange.get(`${name}.${i}`);
    if (chunk === undefined) break;
    chunks.push(chunk);
  }
  return chunks.length ? chunks.join('') : undefined;
}

/**
 * Writes `value` as `name` when it fits, else as chunks; clears whatever the previous write left
 * (the unchunked cookie or chunks past the new count), so stale pieces never join a new value.
 */
export function writeChunkedCookie(exchange: CookieExchange, name: string, value: string, attributes: CookieAttributes): void {
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += CHUNK_SIZE) chunks.push(value.slice(i, i + CHUNK_SIZE));
  if (chunks.length <= 1) {
    exchange.set(name, value, attributes);
  } else {
    chunks.forEach((chunk, i) => exchange.set(`${name}.${i}`, chunk, attributes));
  }
  const kept = chunks.length <= 1 ? 0 : chunks.length;
  for (const existing of exchange.names()) {
    const index = chunkIndex(name, existing);
    if (index !== undefined && index >= kept) exchange.set(existing, '', { ...attributes, maxAge: 0 });
  }
  if (chunks.length > 1 && exchange.get(name) !== undefined) exchange.set(name, '', { ...attributes, maxAge: 0 });
}

/** Deletes `name` and all its chunks. */
export function clearChunkedCookie(exchange: CookieExchange, name: string, attributes: CookieAttributes): void {
  for (const existing of exchange.names()) {
    if (existing === name || chunkIndex(name, existing) !== undefined) exchange.set(existing, '', { ...attributes, maxAge: 0 });
  }
}
