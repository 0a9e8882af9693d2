/**
 * The offline blocklist of NIST SP 800-63B §5.1.1.2: "passwords obtained from previous breach
 * corpuses", "dictionary words", "repetitive or sequential characters".
 *
 * The list is the `passwords-common` dictionary of @zxcvbn-ts/language-common (MIT): 49,233
 * lower-case passwords, ranked by frequency in the ten-million-password corpus Mark Burnett
 * published in 2015. It is already a dependency (the strength meter uses it), so no list is
 * committed here. It leaves out passwords that are a bare pattern (`aaaaaaaa`, `abcdefgh`),
 * which zxcvbn finds by other means; `isTrivialPattern` covers those.
 */

let commonPasswords: Promise<Set<string>> | undefined;

/** Loads the list once, on first use (about 50k strings; a few tens of milliseconds). */
function loadCommonPasswords(): Promise<Set<string>> {
  commonPasswords ??= import('@zxcvbn-ts/language-common').then(
    ({ dictionary }) => new Set(dictionary['passwords-common'].map((entry) => String(entry).toLowerCase())),
  );
  return commonPasswords;
}

/** True when the (already NFKC-normalized) password is on the list, compared case-insensitively. */
export async function isCommonPassword(normalized: string): Promise<boolean> {
  return (await loadCommonPasswords()).has(normalized.toLowerCase());
}

/** How many passwords the list holds (for the docs and tests). */
export async function commonPasswordCount(): Promise<number> {
  return (await loadCommonPasswords()).size;
}

/**
 * True for one character repeated (`aaaaaaaa`, `11111111`) and for a run of consecutive code
 * points up or down (`abcdefgh`, `98765432`): NIST's "repetitive or sequential characters".
 */
export function isTrivialPattern(normalized: string): boolean {
  const points = Array.from(normalized.toLowerCase(), (char) => char.codePointAt(0) ?? 0);
  if (points.length < 2) return true;
  const step = (points[1] ?? 0) - (points[0] ?? 0);
  if (step !== 0 && step !== 1 && step !== -1) return false;
  return points.every((point, index) => index === 0 || point - (points[index - 1] ?? 0) === step);
}
