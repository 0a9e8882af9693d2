import { createHash, webcrypto } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as x509 from '@peculiar/x509';

/**
 * TLS for tests of clients that refuse plain http authorities (MSAL): a self-signed certificate
 * for 127.0.0.1, a TLS reverse proxy in front of the test server, and RSA certificates with
 * exportable PEM keys for clients that read a key file.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;

export interface PemCertificate {
  certificate: string;
  /** PKCS #8 PEM, as MSAL (Node and Python) and node:https read it. */
  privateKey: string;
  /** Hex thumbprints of the DER certificate (MSAL's `thumbprintSha256` and `thumbprint`). */
  sha256Hex: string;
  sha1Hex: string;
}

/** A self-signed RSA certificate valid from yesterday for 30 days, optionally for a TLS server on 127.0.0.1. */
export async function createPemCertificate(commonName: string, options: { tlsServer?: boolean } = {}): Promise<PemCertificate> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as CryptoKeyPair;
  const day = 24 * 60 * 60 * 1000;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: createHash('sha256').update(commonName + Math.random()).digest('hex').slice(0, 16),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - day),
    notAfter: new Date(Date.now() + 30 * day),
    signingAlgorithm: RSA,
    keys,
    extensions: options.tlsServer
      ? [
        new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]),
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment | x509.KeyUsageFlags.keyCertSign, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ]
      : [],
  });
  const der = Buffer.from(cert.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  return {
    certificate: cert.toString('pem'),
    privateKey: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`,
    sha256Hex: createHash('sha256').update(der).digest('hex'),
    sha1Hex: createHash('sha1').update(der).digest('hex'),
  };
}

/**
 * A TLS reverse proxy to the server on 127.0.0.1 at `upstreamPort()`, as in production;
 * `onRequest` sees each request before it is forwarded.
 */
export function createTlsProxy(tls: PemCertificate, upstreamPort: () => number, onRequest?: (req: IncomingMessage) => void): Server {
  return createHttpsServer({ key: tls.privateKey, cert: tls.certificate }, (req, res) => {
    onRequest?.(req);
    const upstream = httpRequest({ host: '127.0.0.1', port: upstreamPort(), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502).end(); });
    req.pipe(upstream);
  }) as unknown as Server;
}

/** Listens on 127.0.0.1 (`port` 0: any free port) and returns the port. */
export async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Closes a server and its open connections, if it is listening. */
export async function close(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
