import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Online breach check in the k-anonymity model of the Pwned Passwords range API
 * (https://haveibeenpwned.com/API/v3#PwnedPasswords): only the first 5 hex characters of the
 * password's SHA-1 leave this machine; the service answers with every suffix it knows under that
 * prefix (hundreds), and the comparison happens here. `Add-Padding: true` asks for decoy
 * suffixes (count 0) so that even the response size says nothing about the password.
 *
 * It fails open: a slow, unreachable or misbehaving service must not stop people from choosing a
 * password, so any failure counts as "not breached" and is returned as a warning to audit.
 */

export type BreachCheckOptions = {
  /** Range endpoint; the 5-character prefix is appended: `${url}${prefix}`. */
  url: string;
  timeoutMs: number;
  fetch?: typeof fetch;
};

export type BreachCheckWarning = {
  code: 'password.breach_check_unavailable';
  reason: 'timeout' | 'network' | 'http_status' | 'invalid_response';
  status?: number;
};

export type BreachCheckResult =
  | { breached: true; occurrences: number }
  | { breached: false; warning?: BreachCheckWarning };

/** A range response larger than this is not a range response (real ones are ~30 KiB padded). */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const RangeLineSchema = z.string().regex(/^[0-9A-F]{35}:\d+$/i);

/** Looks the (NFKC-normalized) password up by the 5-character prefix of its SHA-1. */
export async function checkBreached(normalized: string, options: BreachCheckOptions): Promise<BreachCheckResult> {
  // SHA-1 because it is the API's lookup key, not to protect the password.
  const digest = createHash('sha1').update(normalized, 'utf8').digest('hex').toUpperCase();
  const prefix = digest.slice(0, 5);
  const suffix = digest.slice(5);
  let body: string;
  try {
    const response = await (options.fetch ?? fetch)(`${options.url}${prefix}`, {
      headers: { 'Add-Padding': 'true', 'User-Agent': 'Tessera password policy' },
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      return unavailable('http_status', response.status);
    }
    const text = await readCapped(response, MAX_RESPONSE_BYTES);
    if (text === undefined) return unavailable('invalid_response');
    body = text;
  } catch (error) {
    return unavailable(isTimeout(error) ? 'timeout' : 'network');
  }
  const occurrences = findSuffix(body, suffix);
  if (occurrences === undefined) return unavailable('invalid_response');
  return occurrences > 0 ? { breached: true, occurrences } : { breached: false };
}

/** The count for the suffix (0 when absent or a padding entry); undefined if a line is malformed. */
function findSuffix(body: string, suffix: string): number | undefined {
  let found = 0;
  for (const rawLine of body.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    if (!RangeLineSchema.safeParse(line).success) return undefined;
    const [lineSuffix, count] = line.split(':');
    if (lineSuffix?.toUpperCase() === suffix) found = Number(count);
  }
  return found;
}

async function readCapped(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.cause as Error | undefined)?.name === 'TimeoutError');
}

function unavailable(reason: BreachCheckWarning['reason'], status?: number): BreachCheckResult {
  return { breached: false, warning: { code: 'password.breach_check_unavailable', reason, ...(status === undefined ? {} : { status }) } };
}
