import { decodeProtectedHeader, errors } from 'jose';
import { GuardError } from './guard-error.js';

const CLAIM_DESCRIPTIONS: Record<string, string> = {
  iss: 'token was issued by an issuer this API does not trust (iss)',
  aud: 'token is for another audience (aud)',
  nbf: 'token is not valid yet (nbf)',
  iat: 'claim iat must be a number',
};

/**
 * Turns what jose throws while verifying a token into a {@link GuardError} with a precise
 * `error_description`; anything that is not about the token is rethrown unchanged.
 *
 * @example
 * ```ts
 * try { await jwtVerify(token, keys, options) } catch (error) { throw toGuardError(error, token) }
 * ```
 */
export function toGuardError(error: unknown, token: string): GuardError {
  if (error instanceof GuardError) return error;
  if (error instanceof errors.JWTExpired) {
    return new GuardError('ERR_GUARD_TOKEN_EXPIRED', 'token expired (exp)', { cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const description = error.reason === 'missing'
      ? `token has no ${error.claim} claim`
      : error.reason === 'invalid' ? `claim ${error.claim} has the wrong type` : (CLAIM_DESCRIPTIONS[error.claim] ?? `claim ${error.claim} is invalid`);
    return invalid(description, error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid(`signing algorithm ${headerAlg(token)} is not allowed`, error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('signature verification failed', error);
  if (error instanceof errors.JWKSNoMatchingKey) return invalid('no key of the issuer matches the token (kid)', error);
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalid('several keys of the issuer match the token; it names no kid', error);
  if (error instanceof errors.JOSEError) return invalid(`malformed token: ${error.message}`, error);
  throw error;
}

function invalid(description: string, cause: unknown): GuardError {
  return new GuardError('ERR_GUARD_TOKEN_INVALID', description, { cause });
}

function headerAlg(token: string): string {
  try {
    return String(decodeProtectedHeader(token).alg);
  } catch {
    return '(unreadable)';
  }
}
