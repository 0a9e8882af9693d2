/**
 * The base of every error this package throws. `code` is stable and machine-readable
 * (`ERR_OAUTH_INVALID_GRANT`, `ERR_CLIENT_TIMEOUT`, …); messages never contain tokens or secrets.
 *
 * @example
 * ```ts
 * import { ClientError } from '@tessera/client';
 * try {
 *   await app.acquireTokenForClient({ scopes: ['api://weather/.default'] });
 * } catch (error) {
 *   if (error instanceof ClientError) console.error(error.code);
 * }
 * ```
 */
export class ClientError extends Error {
  override name = 'ClientError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * An OAuth 2.0 error response (RFC 6749 §5.2, RFC 8628 §3.5, RFC 8693 §2.2.2): `error` is the
 * server's code as sent, `code` is `ERR_OAUTH_` + that code in upper case.
 *
 * @example
 * ```ts
 * import { OAuthError } from '@tessera/client';
 * try {
 *   await app.acquireTokenForClient({ scopes: ['api://unknown/.default'] });
 * } catch (error) {
 *   if (error instanceof OAuthError && error.error === 'invalid_scope') console.error(error.errorDescription);
 * }
 * ```
 */
export class OAuthError extends ClientError {
  override name = 'OAuthError';
  /** The OAuth `error` code, e.g. `invalid_grant`. */
  readonly error: string;
  readonly errorDescription: string | undefined;
  /** The HTTP status of the response (0 when the error came in a redirect). */
  readonly status: number;

  constructor(error: string, errorDescription: string | undefined, status: number, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? oauthErrorCode(error), errorDescription ? `${error}: ${errorDescription}` : error, options);
    this.error = error;
    this.errorDescription = errorDescription;
    this.status = status;
  }
}

/**
 * The user must sign in again (interactively or by device code): no cached tokens for the
 * account, or the refresh token was refused (`invalid_grant`, `interaction_required`,
 * `login_required`, `consent_required`). `error` says which; `code` is always
 * `ERR_INTERACTION_REQUIRED`.
 *
 * @example
 * ```ts
 * import { InteractionRequiredError } from '@tessera/client';
 * const scopes = ['api://weather/weather.read'];
 * const result = await app.acquireTokenSilent({ account, scopes }).catch((error) => {
 *   if (error instanceof InteractionRequiredError) return app.acquireTokenInteractive({ scopes });
 *   throw error;
 * });
 * ```
 */
export class InteractionRequiredError extends OAuthError {
  override name = 'InteractionRequiredError';

  constructor(error: string, errorDescription: string | undefined, status = 0, options?: { cause?: unknown }) {
    super(error, errorDescription, status, { ...options, code: 'ERR_INTERACTION_REQUIRED' });
  }
}

/** OAuth errors after which only the user can help (OIDC Core §3.1.2.6, RFC 6749 §5.2). */
const INTERACTION_ERRORS = new Set(['invalid_grant', 'interaction_required', 'login_required', 'consent_required', 'account_selection_required']);

/**
 * Whether an OAuth `error` code means "ask the user again".
 *
 * @example
 * ```ts
 * import { isInteractionRequired } from '@tessera/client';
 * isInteractionRequired('consent_required'); // true
 * ```
 */
export function isInteractionRequired(error: string): boolean {
  return INTERACTION_ERRORS.has(error);
}

function oauthErrorCode(error: string): string {
  return `ERR_OAUTH_${error.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
}
