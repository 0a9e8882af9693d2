/** Asymmetric JWS algorithms (RFC 7518 §3, RFC 8037) a guard may accept. */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
] as const;

/** One of {@link ASYMMETRIC_ALGORITHMS}. */
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/**
 * Checks an algorithm allow-list at construction: asymmetric algorithms only. `none` and the
 * HMAC family are refused outright — with a public JWKS an HS256 "signature" keyed by the
 * public key is forgeable by anyone (RFC 8725 §2.1, §3.1).
 *
 * @example
 * ```ts
 * assertAsymmetricAlgorithms(['ES256', 'RS256']); // ok
 * assertAsymmetricAlgorithms(['HS256']); // throws TypeError
 * ```
 */
export function assertAsymmetricAlgorithms(algorithms: readonly string[]): asserts algorithms is readonly AsymmetricAlgorithm[] {
  if (algorithms.length === 0) throw new TypeError('algorithms must name at least one algorithm');
  for (const alg of algorithms) {
    if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new TypeError(`algorithm ${alg} is not allowed: only asymmetric algorithms (${ASYMMETRIC_ALGORITHMS.join(', ')})`);
    }
  }
}
