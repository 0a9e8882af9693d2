/**
 * Escapes text for HTML element and attribute content (OWASP XSS Prevention, rule #1/#2).
 * Control characters, which HTML forbids in text, become U+FFFD.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The page shell shared by every server-rendered page. No inline script or style, so the
 * Content-Security-Policy can forbid both; the stylesheet is {base path}/assets/tessera.css.
 */
export function renderPage(page: { title: string; body: string; basePath: string; lang?: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(page.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(page.title)}</title>
<link rel="stylesheet" href="${escapeHtml(page.basePath)}/assets/tessera.css">
</head>
<body>
<main class="card">
${page.body}
</main>
</body>
</html>`;
}
