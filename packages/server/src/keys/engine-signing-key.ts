import { createPrivateKey, createPublicKey, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ExternalSigningKey } from 'oidc-provider';
import type { JWK } from 'jose';

const signOnThreadpool = promisify(sign);

/**
 * A tenant's signing key as the protocol engine uses it: oidc-provider builds the JWS
 * (header, payload, base64url) and asks this key for the signature alone
 * (`features.externalSigningSupport`), which node:crypto computes from a KeyObject made once.
 *
 * Why not the engine's default (a private JWK signed through jose and WebCrypto): WebCrypto
 * runs every signature as a threadpool job and jose re-checks the key each time. An ES256
 * signature costs ~65 µs of CPU that way and ~27 µs as one synchronous node:crypto call,
 * which is shorter than the hop to another thread would be; an RS256 signature (~270 µs) still
 * goes to libuv's threadpool so the event loop is not held (docs/keys.md, docs/benchmarks.md).
 */
export class EngineSigningKey extends ExternalSigningKey {
  readonly #publicKey: KeyObject;
  readonly #sign: (data: Uint8Array) => Uint8Array | Promise<Uint8Array>;

  constructor(jwk: JWK) {
    super();
    if (!jwk.kid) throw new Error('signing key without a kid');
    if (jwk.alg !== 'ES256' && jwk.alg !== 'RS256') {
      throw new Error(`signing key ${jwk.kid}: unsupported algorithm ${jwk.alg ?? '(none)'}`);
    }
    // The base class keeps both behind setters its type declarations leave out.
    Object.assign(this, { kid: jwk.kid, alg: jwk.alg });
    const key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    this.#publicKey = createPublicKey(key);
    // JWS ECDSA signatures are r‖s, not DER (RFC 7518 §3.4).
    this.#sign = jwk.alg === 'ES256'
      ? (data) => sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' })
      : (data) => signOnThreadpool('sha256', data, key);
  }

  override keyObject(): KeyObject {
    return this.#publicKey;
  }

  override sign(data: Uint8Array): Uint8Array | Promise<Uint8Array> {
    return this.#sign(data);
  }
}

/** The engine's view of a key set: every private JWK as an {@link EngineSigningKey}, order kept. */
export function engineSigningKeys(keys: readonly JWK[]): EngineSigningKey[] {
  return keys.map((jwk) => new EngineSigningKey(jwk));
}
