import type { KoaContextWithOIDC } from 'oidc-provider';
import { renderPage, escapeHtml } from '../experience/html.js';
import { correlationIdOf } from './token-audit.js';

/**
 * The error page for browser-facing protocol errors that cannot be redirected to the
 * client (e.g. an unregistered redirect_uri): the OAuth error and its description, a
 * correlation id, never a stack trace.
 */
export function createErrorRenderer(basePath: string) {
  return async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }): Promise<void> => {
    const correlationId = correlationIdOf(ctx);
    ctx.type = 'html';
    ctx.body = renderPage({
      basePath,
      title: 'Sign-in error',
      body: `<h1>We could not complete this sign-in</h1>
        <p class="error" role="alert"><strong>${escapeHtml(out.error)}</strong>${out.error_description ? `: ${escapeHtml(out.error_description)}` : ''}</p>
        <p>Go back to the application and try again. If it keeps happening, give its administrator this reference:</p>
        <p><code>${escapeHtml(correlationId ?? 'unavailable')}</code></p>`,
    });
  };
}
