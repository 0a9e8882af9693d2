import type { KoaContextWithOIDC } from 'oidc-provider';
import { availableLocales } from '../i18n/catalogs.js';
import { negotiateLocale } from '../i18n/negotiate-locale.js';
import { createTranslator } from '../i18n/translator.js';
import { escapeHtml, renderPage } from '../experience/html.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) with our own pages: the
 * confirmation page and the page shown when no post_logout_redirect_uri was given.
 * oidc-provider's defaults use inline style, which our Content-Security-Policy forbids.
 * The confirmation page keeps oidc-provider's form (its `xsrf` hidden field) and submits it
 * with plain buttons (`form="op.logoutForm"`), so no script is needed.
 */
export function createRpInitiatedLogout(basePath: string) {
  return {
    enabled: true,
    async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
      const { t, locale } = textFor(ctx);
      const client = clientNameOf(ctx);
      ctx.type = 'html';
      ctx.body = renderPage({
        basePath, lang: locale, title: t('title.logout'),
        body: `<h1>${escapeHtml(t('title.logout'))}</h1>
<p>${escapeHtml(client ? t('logout.question_client', { clientName: client }) : t('logout.question'))}</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">${escapeHtml(t('button.sign_out'))}</button>
<button type="submit" form="op.logoutForm" class="secondary">${escapeHtml(t('button.stay_signed_in'))}</button>`,
      });
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      const { t, locale } = textFor(ctx);
      ctx.type = 'html';
      ctx.body = renderPage({
        basePath, lang: locale, title: t('title.logged_out'),
        body: `<h1>${escapeHtml(t('title.logged_out'))}</h1>
<p>${escapeHtml(t('logout.done'))}</p>`,
      });
    },
  };
}

function textFor(ctx: KoaContextWithOIDC) {
  return createTranslator(negotiateLocale(ctx.get('accept-language'), availableLocales()), 'pages');
}

function clientNameOf(ctx: KoaContextWithOIDC): string | undefined {
  const client = ctx.oidc.client as { clientName?: string; clientId?: string } | undefined;
  return client?.clientName ?? client?.clientId;
}
