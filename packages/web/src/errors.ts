/**
 * Errors of @tessera/web. Every error has a stable `code` (`web.snake_case`) to branch on,
 * never the message.
 *
 * @example
 * try { await auth.getAccessToken(exchange, { scopes: ['api://weather/weather.write'] }); }
 * catch (error) { if (error instanceof WebAuthError && error.code === 'web.interaction_required') … }
 */
export class WebAuthError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WebAuthError';
    this.code = code;
  }
}

/**
 * The options given to `createWebAuth` are unusable (a short cookie secret, a relative redirect URI…).
 *
 * @example
 * createWebAuth({ …, cookie: { secret: 'short' } }); // throws ConfigurationError, code 'web.invalid_configuration'
 */
export class ConfigurationError extends WebAuthError {
  constructor(message: string) {
    super('web.invalid_configuration', message);
    this.name = 'ConfigurationError';
  }
}

/**
 * The request has no (valid) session: the user must sign in.
 *
 * @example
 * await auth.getAccessToken(exchange, { scopes }); // throws NotSignedInError (code 'web.not_signed_in') without a session
 */
export class NotSignedInError extends WebAuthError {
  constructor() {
    super('web.not_signed_in', 'no signed-in user');
    this.name = 'NotSignedInError';
  }
}

/**
 * A callback to the redirect URI that must be refused (HTTP 400): no transaction cookie, a state
 * that does not match, an error from the provider, a code the provider refuses, an invalid ID token.
 * `providerError` carries the provider's `error` when it sent one (e.g. `access_denied`).
 *
 * @example
 * catch (error) { if (error instanceof CallbackError) res.status(400).send('Sign-in failed, please try again'); }
 */
export class CallbackError extends WebAuthError {
  readonly providerError: string | undefined;
  constructor(message: string, options: { providerError?: string; cause?: unknown } = {}) {
    super('web.callback_invalid', message, { cause: options.cause });
    this.name = 'CallbackError';
    this.providerError = options.providerError;
  }
}

/**
 * A token for `scopes` needs the user: the scopes were never consented, or the refresh token no
 * longer works. The adapters answer it by redirecting to the sign-in route with these scopes and
 * `returnTo` (incremental consent).
 *
 * @example
 * catch (error) { if (error instanceof InteractionRequiredError) res.redirect(auth.signInPath(error.scopes, req.originalUrl)); }
 */
export class InteractionRequiredError extends WebAuthError {
  readonly scopes: readonly string[];
  constructor(scopes: readonly string[], reason: string, options?: { cause?: unknown }) {
    super('web.interaction_required', `the user must sign in again to grant ${scopes.join(' ')}: ${reason}`, options);
    this.name = 'InteractionRequiredError';
    this.scopes = scopes;
  }
}
