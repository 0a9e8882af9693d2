/** `{name}` placeholders: a letter, then letters, digits or `_`. */
export const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Replaces each `{name}` with `vars[name]`, passed through `encode` (identity by default; the
 * mail renderer passes escapeHtml for HTML). One pass: a value that itself contains `{other}`
 * is never expanded again. An unknown placeholder stays as written, so a typo is visible.
 *
 * @example interpolate('Hello {userName}', { userName: 'Ada' }) // 'Hello Ada'
 */
export function interpolate(
  template: string,
  vars: Readonly<Record<string, string | number>>,
  encode: (value: string) => string = (value) => value,
): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(vars, name) ? encode(String(vars[name])) : whole);
}

/** The placeholder names a template uses, in order of first appearance. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((match) => match[1] as string))];
}
