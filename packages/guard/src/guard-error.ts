/** The error codes a guard produces, one per reason a request is refused. */
export type GuardErrorCode =
  | 'ERR_GUARD_TOKEN_MISSING'
  | 'ERR_GUARD_TOKEN_MALFORMED'
  | 'ERR_GUARD_TOKEN_INVALID'
  | 'ERR_GUARD_TOKEN_EXPIRED'
  | 'ERR_GUARD_INSUFFICIENT_SCOPE'
  | 'ERR_GUARD_INSUFFICIENT_USER_AUTHENTICATION'
  | 'ERR_GUARD_ISSUER_UNAVAILABLE';

/** The `error` attribute of the `WWW-Authenticate: Bearer` challenge (RFC 6750 §3.1, RFC 9470 §3). */
export type BearerErrorName = 'invalid_token' | 'insufficient_scope' | 'insufficient_user_authentication';

/** Extra challenge attributes: `scope` (RFC 6750 §3), `acr_values` and `max_age` (RFC 9470 §3). */
export interface ChallengeParameters {
  scope?: string;
  acr_values?: string;
  max_age?: number;
}

export interface GuardErrorOptions extends ChallengeParameters {
  /** Absent only when the request carried no credentials at all (RFC 6750 §3.1). */
  error?: BearerErrorName;
  status?: number;
  cause?: unknown;
}

const STATUS: Record<GuardErrorCode, number> = {
  ERR_GUARD_TOKEN_MISSING: 401,
  ERR_GUARD_TOKEN_MALFORMED: 401,
  ERR_GUARD_TOKEN_INVALID: 401,
  ERR_GUARD_TOKEN_EXPIRED: 401,
  ERR_GUARD_INSUFFICIENT_SCOPE: 403,
  ERR_GUARD_INSUFFICIENT_USER_AUTHENTICATION: 401,
  ERR_GUARD_ISSUER_UNAVAILABLE: 503,
};

/** RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E (no `"` or `\`). */
function toChallengeText(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 300);
}

/**
 * Why a request was refused: a `code`, the HTTP `status` to answer with and the RFC 6750
 * `WWW-Authenticate` challenge. Adapters turn it into the response; `verify()` throws it.
 *
 * @example
 * ```ts
 * try {
 *   await guard.verify(token);
 * } catch (error) {
 *   if (error instanceof GuardError) console.log(error.code, error.status, error.wwwAuthenticate);
 * }
 * ```
 */
export class GuardError extends Error {
  override readonly name = 'GuardError';
  readonly code: GuardErrorCode;
  readonly status: number;
  readonly error: BearerErrorName | undefined;
  readonly description: string;
  readonly parameters: ChallengeParameters;

  constructor(code: GuardErrorCode, description: string, options: GuardErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    const { error, status, cause: _cause, ...parameters } = options;
    this.code = code;
    this.description = toChallengeText(description);
    this.status = status ?? STATUS[code];
    this.error = error ?? (code === 'ERR_GUARD_TOKEN_MISSING' || code === 'ERR_GUARD_ISSUER_UNAVAILABLE' ? undefined : 'invalid_token');
    this.parameters = parameters;
  }

  /** The `WWW-Authenticate` header value (RFC 6750 §3). */
  get wwwAuthenticate(): string {
    if (!this.error) return 'Bearer';
    const parts = [`error="${this.error}"`, `error_description="${this.description}"`];
    if (this.parameters.scope) parts.push(`scope="${toChallengeText(this.parameters.scope)}"`);
    if (this.parameters.acr_values) parts.push(`acr_values="${toChallengeText(this.parameters.acr_values)}"`);
    if (this.parameters.max_age !== undefined) parts.push(`max_age="${this.parameters.max_age}"`);
    return `Bearer ${parts.join(', ')}`;
  }

  /** A JSON body for the response; never contains the token. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error ?? 'unauthorized', error_description: this.description };
  }
}

/** Whether `value` is a {@link GuardError}. @example `if (isGuardError(e)) res.status(e.status)` */
export function isGuardError(value: unknown): value is GuardError {
  return value instanceof GuardError;
}
