/**
 * "Context-specific words, such as ... the username" (NIST SP 800-63B §5.1.1.2): a password that
 * contains the account's own name is the first guess of an attacker who knows whom they target.
 */

/**
 * Fragments shorter than this are ignored, so that a two-letter username or an email like
 * `jo@example.com` does not forbid every password containing "jo".
 */
export const MIN_IDENTIFIER_FRAGMENT = 3;

/**
 * The lower-cased NFKC fragments a password must not contain: each username; for each email the
 * full address, its local part, and the local part before a `+` tag (`alice+news@x` → `alice`).
 */
export function identifierFragments(identifiers: readonly (string | null | undefined)[]): string[] {
  const fragments = new Set<string>();
  for (const raw of identifiers) {
    if (!raw) continue;
    const value = raw.normalize('NFKC').trim().toLowerCase();
    fragments.add(value);
    const at = value.lastIndexOf('@');
    if (at > 0) {
      const local = value.slice(0, at);
      fragments.add(local);
      const plus = local.indexOf('+');
      if (plus > 0) fragments.add(local.slice(0, plus));
    }
  }
  return [...fragments].filter((fragment) => [...fragment].length >= MIN_IDENTIFIER_FRAGMENT);
}

/** True when the (NFKC-normalized) password contains one of the identifiers, ignoring case. */
export function containsIdentifier(normalized: string, identifiers: readonly (string | null | undefined)[]): boolean {
  const lower = normalized.toLowerCase();
  return identifierFragments(identifiers).some((fragment) => lower.includes(fragment));
}
