import type { Translator } from '../i18n/translator.js';
import { escapeHtml, renderPage } from './html.js';

/** The words of a page in the request's language (`pages` catalog); `locale` is the page's `lang`. */
export type PageText = Pick<Translator<'pages'>, 't' | 'locale'>;

export interface ConsentPageModel {
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  /** The user's name, else undefined ("you" in the page's language). */
  userName: string | undefined;
  /** What is asked, in the words of whoever defines it (OpenID Connect or the API). */
  permissions: { name: string; description: string }[];
}

function consentPage(basePath: string, text: PageText, model: ConsentPageModel): string {
  const { t } = text;
  const items = model.permissions
    .map((p) => `<li><strong>${escapeHtml(p.description)}</strong> <span class="muted">(${escapeHtml(p.name)})</span></li>`)
    .join('\n');
  return renderPage({
    basePath,
    lang: text.locale,
    title: t('title.consent'),
    body: `<h1>${escapeHtml(t('consent.heading', { clientName: model.clientName }))}</h1>
<p class="muted">${escapeHtml(t('consent.signed_in_as', { userName: model.userName ?? t('consent.you') }))}</p>
<p>${escapeHtml(t('consent.asks', { clientName: model.clientName }))}</p>
<ul class="scopes">${items}</ul>
<form method="post" action="${escapeHtml(model.action)}">
  <input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
  <button type="submit">${escapeHtml(t('button.allow'))}</button>
</form>
<form method="post" action="${escapeHtml(model.abortAction)}">
  <input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
  <button type="submit" class="secondary">${escapeHtml(t('button.deny'))}</button>
</form>`,
  });
}

/** A page with one message; `title` and `message` already in the page's language. */
function messagePage(basePath: string, text: PageText, title: string, message: string, link?: { href: string; text: string }): string {
  const next = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return renderPage({ basePath, lang: text.locale, title, body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${next}` });
}

/** The sign-in pages for a server whose public URL has this path (see publicBasePath); each takes the request's text. */
export function createPages(basePath: string) {
  return {
    basePath,
    consent: (text: PageText, model: ConsentPageModel) => consentPage(basePath, text, model),
    message: (text: PageText, title: string, message: string, link?: { href: string; text: string }) =>
      messagePage(basePath, text, title, message, link),
  };
}

export type Pages = ReturnType<typeof createPages>;
