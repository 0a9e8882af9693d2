import { interpolate } from '../i18n/interpolate.js';
import { escapeHtml, renderPage } from './html.js';
import type { PageText } from './pages.js';

/**
 * The device sign-in pages (RFC 8628 §3.3): enter the code a TV or CLI shows, confirm it, done.
 * Rendered in our page shell, so no inline script or style (CSP). Each form posts oidc-provider's
 * own `xsrf` token back to its verification endpoint.
 */

/** Message keys for what went wrong on the code page, by oidc-provider's re-render error name. */
const INPUT_ERRORS = {
  NotFoundError: 'device.code_invalid',
  ExpiredError: 'device.code_expired',
  AlreadyUsedError: 'device.code_used',
  NoCodeError: 'device.no_code',
  AbortedError: 'device.aborted',
} as const;

export type DeviceCodeProblem = keyof typeof INPUT_ERRORS | 'other';

export function deviceCodeProblem(error: unknown): DeviceCodeProblem | undefined {
  if (!error) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' && name in INPUT_ERRORS ? name as keyof typeof INPUT_ERRORS : 'other';
}

export interface UserCodeInputModel {
  action: string;
  /** oidc-provider's form token; without one (the session state is gone) no form is shown. */
  xsrf: string | undefined;
  problem?: DeviceCodeProblem | undefined;
  /** What the user typed, shown again after a wrong code. */
  userCode?: string | undefined;
}

export function userCodeInputPage(basePath: string, text: PageText, model: UserCodeInputModel): string {
  const { t } = text;
  const error = model.problem ? t(model.problem === 'other' ? 'device.error' : INPUT_ERRORS[model.problem]) : undefined;
  // An aborted sign-in is over: say so and offer no form to re-enter the same code.
  const form = model.problem === 'AbortedError' || !model.xsrf ? '' : `<form method="post" action="${escapeHtml(model.action)}" novalidate>
  <input type="hidden" name="xsrf" value="${escapeHtml(model.xsrf)}">
  <label for="user_code">${escapeHtml(t('label.user_code'))}</label>
  <input type="text" id="user_code" name="user_code" value="${escapeHtml(model.userCode ?? '')}" autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" maxlength="64" required autofocus${error ? ' aria-describedby="form-error"' : ''}>
  <button type="submit">${escapeHtml(t('button.continue'))}</button>
</form>`;
  return renderPage({
    basePath, lang: text.locale, title: t('title.device'),
    body: `<h1>${escapeHtml(t('title.device'))}</h1>
<p class="muted">${escapeHtml(t('device.enter_code'))}</p>
${error ? `<p class="error" role="alert" id="form-error">${escapeHtml(error)}</p>` : ''}
${form}`,
  });
}

export interface UserCodeConfirmModel {
  action: string;
  xsrf: string;
  clientName: string;
  /** As the device shows it (`BCDF-GHJK`). */
  userCode: string;
}

/** Asks the user to compare the code with the device's before signing in (RFC 8628 §5.4, remote phishing). */
export function userCodeConfirmPage(basePath: string, text: PageText, model: UserCodeConfirmModel): string {
  const { t } = text;
  const hidden = `<input type="hidden" name="xsrf" value="${escapeHtml(model.xsrf)}">
  <input type="hidden" name="user_code" value="${escapeHtml(model.userCode)}">`;
  return renderPage({
    basePath, lang: text.locale, title: t('title.device_confirm'),
    body: `<h1>${escapeHtml(t('title.device_confirm'))}</h1>
<p>${interpolate(escapeHtml(t('device.confirm')), { clientName: model.clientName }, (value) => `<strong>${escapeHtml(value)}</strong>`)}</p>
<p class="user-code"><code>${escapeHtml(model.userCode)}</code></p>
<p class="muted">${escapeHtml(t('device.confirm_warning'))}</p>
<form method="post" action="${escapeHtml(model.action)}">
  ${hidden}
  <input type="hidden" name="confirm" value="yes">
  <button type="submit">${escapeHtml(t('button.continue'))}</button>
</form>
<form method="post" action="${escapeHtml(model.action)}">
  ${hidden}
  <input type="hidden" name="abort" value="yes">
  <button type="submit" class="secondary">${escapeHtml(t('button.cancel'))}</button>
</form>`,
  });
}

export function deviceSuccessPage(basePath: string, text: PageText, clientName: string): string {
  const { t } = text;
  return renderPage({
    basePath, lang: text.locale, title: t('title.device_done'),
    body: `<h1>${escapeHtml(t('title.device_done'))}</h1>
<p>${interpolate(escapeHtml(t('device.done')), { clientName }, (value) => `<strong>${escapeHtml(value)}</strong>`)}</p>`,
  });
}

/** Too many codes from this address: no form, only when to try again. */
export function deviceThrottledPage(basePath: string, text: PageText, wait: string): string {
  const { t } = text;
  return renderPage({
    basePath, lang: text.locale, title: t('title.device'),
    body: `<h1>${escapeHtml(t('title.device'))}</h1>
<p class="error" role="alert">${escapeHtml(t('device.throttled', { wait }))}</p>`,
  });
}
