import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';

export interface ClientCertificate {
  /** Public JWK with `kid`, `x5t` and `x5t#S256` set to the certificate thumbprints (base64url). */
  jwk: JWK;
  thumbprintSha1: string;
  thumbprintSha256: string;
  notAfter: Date | null;
  pem: string | null;
}

/**
 * Reads a PEM certificate as MSAL and Entra ID identify it: by the base64url SHA-1 (`x5t`) or
 * SHA-256 (`x5t#S256`) thumbprint of its DER encoding (RFC 7515 §4.1.7–4.1.8).
 */
export function readCertificatePem(pem: string): ClientCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new Error('certificate.invalid_pem: not a PEM-encoded X.509 certificate');
  }
  const thumbprintSha1 = createHash('sha1').update(cert.raw).digest('base64url');
  const thumbprintSha256 = createHash('sha256').update(cert.raw).digest('base64url');
  const jwk = cert.publicKey.export({ format: 'jwk' }) as JWK;
  return {
    jwk: { ...jwk, kid: thumbprintSha256, x5t: thumbprintSha1, 'x5t#S256': thumbprintSha256 },
    thumbprintSha1,
    thumbprintSha256,
    notAfter: new Date(cert.validTo),
    pem: pem.trim(),
  };
}

/** A bare public JWK; it is identified by its `kid` or, without one, its RFC 7638 thumbprint. */
export async function readPublicJwk(input: JWK): Promise<ClientCertificate> {
  if ('d' in input || 'k' in input) throw new Error('certificate.private_key: give the public key only');
  try {
    createPublicKey({ key: input as never, format: 'jwk' });
  } catch {
    throw new Error('certificate.invalid_jwk: not a valid public JWK');
  }
  const thumbprint = await calculateJwkThumbprint(input, 'sha256');
  const sha1 = await calculateJwkThumbprint(input, 'sha1' as never).catch(() => thumbprint);
  const { kty, crv, x, y, n, e } = input;
  return {
    jwk: { kty, crv, x, y, n, e, kid: input.kid ?? thumbprint },
    thumbprintSha1: sha1,
    thumbprintSha256: thumbprint,
    notAfter: null,
    pem: null,
  };
}
