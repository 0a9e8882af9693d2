import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { importJWK, importPKCS8, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { ClientError } from './errors.js';

/**
 * A certificate credential: the private key signs a client assertion (`private_key_jwt`,
 * RFC 7523 §2.2) whose `x5t#S256` header (RFC 7515 §4.1.8) names the certificate registered
 * with the provider — what MSAL sends and Entra ID and Tessera look up.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import type { CertificateCredential } from '@tessera/client';
 * const certificate: CertificateCredential = {
 *   privateKey: readFileSync('daemon.key', 'utf8'), // PKCS#8 PEM
 *   certificatePem: readFileSync('daemon.crt', 'utf8'),
 * };
 * ```
 */
export interface CertificateCredential {
  /** A CryptoKey, a private JWK, or a PKCS#8 PEM string. */
  privateKey: CryptoKey | JWK | string;
  /** The PEM certificate; its SHA-256 thumbprint becomes `x5t#S256`. */
  certificatePem?: string;
  /** The thumbprint itself (base64url SHA-256 of the DER), when the certificate is not at hand. */
  x5tS256?: string;
  /** The signing algorithm; by default RS256 for RSA keys and ES256/384/512 for EC keys by curve. */
  alg?: string;
  /** A `kid` header as well, for providers that look keys up by key id instead. */
  kid?: string;
}

/**
 * How the application authenticates at the token endpoint. None for public clients (CLIs,
 * desktop apps); a secret (`client_secret_basic` by default, RFC 6749 §2.3.1) or a certificate
 * for confidential ones.
 *
 * @example
 * ```ts
 * import type { ClientCredential } from '@tessera/client';
 * const credential: ClientCredential = { clientSecret: process.env.CLIENT_SECRET!, method: 'client_secret_post' };
 * ```
 */
export type ClientCredential =
  | { clientSecret: string; method?: 'client_secret_basic' | 'client_secret_post' }
  | { certificate: CertificateCredential };

/**
 * The `x5t#S256` thumbprint of a PEM certificate: base64url SHA-256 of its DER bytes.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { certificateThumbprint } from '@tessera/client';
 * console.log(certificateThumbprint(readFileSync('daemon.crt', 'utf8')));
 * ```
 */
export function certificateThumbprint(certificatePem: string): string {
  return createHash('sha256').update(new X509Certificate(certificatePem).raw).digest('base64url');
}

/** The oauth4webapi client authentication for a credential (keys imported once, lazily). */
export function createClientAuth(credential: ClientCredential | undefined): () => Promise<oauth.ClientAuth> {
  if (!credential) return async () => oauth.None();
  if ('clientSecret' in credential) {
    const auth = credential.method === 'client_secret_post' ? oauth.ClientSecretPost(credential.clientSecret) : oauth.ClientSecretBasic(credential.clientSecret);
    return async () => auth;
  }
  let auth: Promise<oauth.ClientAuth> | undefined;
  return () => (auth ??= certificateAuth(credential.certificate));
}

async function certificateAuth(certificate: CertificateCredential): Promise<oauth.ClientAuth> {
  const x5tS256 = certificate.x5tS256 ?? (certificate.certificatePem ? certificateThumbprint(certificate.certificatePem) : undefined);
  if (!x5tS256) throw new ClientError('ERR_CLIENT_CREDENTIAL', 'A certificate credential needs certificatePem or x5tS256.');
  const key = await importPrivateKey(certificate);
  return oauth.PrivateKeyJwt({ key, ...(certificate.kid ? { kid: certificate.kid } : {}) }, {
    [oauth.modifyAssertion]: (header) => { (header as unknown as Record<string, unknown>)['x5t#S256'] = x5tS256; },
  });
}

async function importPrivateKey(certificate: CertificateCredential): Promise<CryptoKey> {
  const { privateKey } = certificate;
  if (typeof privateKey === 'string') {
    const parsed = certificate.alg ? undefined : createPrivateKey(privateKey);
    const alg = certificate.alg ?? defaultAlg(parsed?.asymmetricKeyDetails?.namedCurve, parsed?.asymmetricKeyType);
    return importPKCS8(privateKey, alg);
  }
  if (isCryptoKey(privateKey)) return privateKey;
  const alg = certificate.alg ?? privateKey.alg ?? defaultAlg(privateKey.crv, privateKey.kty === 'RSA' ? 'rsa' : 'ec');
  const key = await importJWK(privateKey, alg);
  if (key instanceof Uint8Array) throw new ClientError('ERR_CLIENT_CREDENTIAL', 'A certificate credential needs an asymmetric private key.');
  return key;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey !== 'undefined' && value instanceof CryptoKey;
}

function defaultAlg(curve: string | undefined, type: string | undefined): string {
  if (type === 'rsa') return 'RS256';
  const byCurve: Record<string, string> = { 'P-256': 'ES256', prime256v1: 'ES256', 'P-384': 'ES384', secp384r1: 'ES384', 'P-521': 'ES512', secp521r1: 'ES512' };
  const alg = curve ? byCurve[curve] : undefined;
  if (!alg) throw new ClientError('ERR_CLIENT_CREDENTIAL', `Cannot tell the signing algorithm of a ${type ?? 'unknown'} key; set certificate.alg.`);
  return alg;
}
