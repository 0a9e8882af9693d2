import { isMessageKey, type LocaleCatalog, type MessageKey } from '../../i18n/catalogs.js';
import { createTranslator, type Translator } from '../../i18n/translator.js';
import { isTrivialPattern } from '../../security/password-policy/common-passwords.js';
import { normalizePassword } from '../../security/password-policy/password-text.js';
import type { PolicyResult, RequestContext } from '../account-deps.js';
import type { Message } from './flow-ui.js';

export type PageKey = MessageKey<'pages'>;
export type TextVars = Readonly<Record<string, string | number>>;

/**
 * What a flow writes for people, in one language: messages and labels from the `pages` catalog.
 * A message's `code` is its catalog key without a variant: `password.common.pattern` is shown as
 * code `password.common`, so clients that translate by code see the same codes as before.
 */
export interface FlowText {
  /** The catalog locale used (`de-CH` → `de`, anything unknown → `en`). */
  readonly locale: string;
  t: Translator<'pages'>['t'];
  error(key: PageKey, vars?: TextVars): Message;
  info(key: PageKey, vars?: TextVars): Message;
  success(key: PageKey, vars?: TextVars): Message;
  /** A refusal from another module (identifier and password checks): the catalog's text for its code, else its own English. */
  refusal(refused: { code: string; message: string }, vars?: TextVars): Message;
}

/** The code of a catalog key: its first two dot-separated parts (`domain.snake_case`). */
export const codeOfKey = (key: string): string => key.split('.').slice(0, 2).join('.');

/**
 * The flow text for a locale (the request's `uiLocale`); `catalogs` only for tests.
 *
 * @example flowText('de').error('signin.invalid_credentials') // { code, type: 'error', text: '…' }
 */
export function flowText(locale: string | undefined, catalogs?: Readonly<Record<string, LocaleCatalog>>): FlowText {
  const translator = catalogs ? createTranslator(locale, 'pages', catalogs) : createTranslator(locale, 'pages');
  const message = (type: Message['type']) => (key: PageKey, vars?: TextVars): Message =>
    ({ code: codeOfKey(key), type, text: translator.t(key, vars) });
  const error = message('error');
  return {
    locale: translator.locale,
    t: translator.t,
    error,
    info: message('info'),
    success: message('success'),
    refusal: (refused, vars) => (isMessageKey('pages', refused.code)
      ? { ...error(refused.code, vars), code: refused.code }
      : { code: refused.code, type: 'error', text: refused.message }),
  };
}

/** The flow text of a request. */
export const textFor = (ctx: Pick<RequestContext, 'uiLocale'>): FlowText => flowText(ctx.uiLocale);

/**
 * A password-policy refusal in the request's language. The policy's `{minLength}` and
 * `{maxLength}` come from its params, else from the tenant's settings (the policy's source);
 * `password.common` has two sentences, and a trivial pattern (`aaaaaaaa`) gets its own.
 */
export function passwordRefusal(text: FlowText, ctx: Pick<RequestContext, 'settings'>, refused: Extract<PolicyResult, { ok: false }>,
  password: string): Message {
  const { minLength, maxLength } = ctx.settings.passwordPolicy;
  const vars = { minLength, maxLength, ...refused.params };
  if (refused.code === 'password.common' && isTrivialPattern(normalizePassword(password))) {
    return { ...text.error('password.common.pattern', vars), code: refused.code };
  }
  return text.refusal(refused, vars);
}

/** A wait as a localized duration ("30 seconds", "5 minutes", "2 hours"), for `{wait}`. */
export function formatWait(seconds: number, locale: string): string {
  const [value, unit] = seconds < 90 ? [Math.max(1, Math.ceil(seconds)), 'second']
    : seconds < 5400 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour'];
  try {
    return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value as number);
  } catch {
    return new Intl.NumberFormat('en', { style: 'unit', unit, unitDisplay: 'long' }).format(value as number);
  }
}
