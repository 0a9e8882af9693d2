/**
 * The one form of a password that Tessera checks, hashes and compares: Unicode NFKC, nothing
 * trimmed or truncated. NIST SP 800-63B §5.1.1.2 (rev. 3; §3.1.1.2 in rev. 4): verifiers SHOULD
 * apply NFKC or NFKD before hashing, so a fullwidth `ｐａｓｓ` typed on one keyboard matches `pass`
 * typed on another, and each Unicode code point counts as one character.
 *
 * @example normalizePassword('ｐａｓｓｗｏｒｄ') // 'password'
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Length in Unicode code points (not UTF-16 units, not bytes): `'👍'` is 1, `'👍🏽'` is 2 (the
 * emoji and its skin-tone modifier are two code points).
 */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}
