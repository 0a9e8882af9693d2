import { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWK, JWTPayload } from 'jose';

/** A tiny OpenID issuer on 127.0.0.1: discovery and JWKS only; tokens are signed in-process. */
export interface LocalIssuer {
  issuer: string;
  /** Signs an access token; defaults: ES256, typ at+jwt, aud api://weather, 5 minutes. */
  sign(claims?: JWTPayload, options?: SignOptions): Promise<string>;
  /** The RSA public key as PEM bytes — what an HS256 "key confusion" attacker would use. */
  rsaPublicPem: string;
  /** Publishes a fresh key under `kid` (rotation) and returns its signer kid. */
  rotate(kid: string): Promise<void>;
  jwksRequests(): number;
  close(): Promise<void>;
}

export interface SignOptions {
  alg?: 'ES256' | 'RS256';
  kid?: string;
  typ?: string | null;
  /** Sign with a key the JWKS does not publish. */
  unknownKey?: boolean;
}

export const AUDIENCE = 'api://weather';

type Pair = Awaited<ReturnType<typeof generateKeyPair>>;

export async function startLocalIssuer(): Promise<LocalIssuer> {
  const keys = new Map<string, { alg: 'ES256' | 'RS256'; pair: Pair }>();
  keys.set('es-1', { alg: 'ES256', pair: await generateKeyPair('ES256', { extractable: true }) });
  keys.set('rs-1', { alg: 'RS256', pair: await generateKeyPair('RS256', { extractable: true }) });
  const stranger = await generateKeyPair('ES256');
  let jwks: JWK[] = [];
  const publish = async () => {
    jwks = await Promise.all([...keys].map(async ([kid, { alg, pair }]) => ({ ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' })));
  };
  await publish();
  let jwksCount = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/t1/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/t1/jwks') {
      jwksCount += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: jwks }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/t1`;
  const rsa = keys.get('rs-1')?.pair.publicKey as CryptoKey;
  const rsaPublicPem = KeyObject.from(rsa).export({ format: 'pem', type: 'spki' }).toString();
  return {
    issuer,
    rsaPublicPem,
    async sign(claims = {}, options = {}) {
      const alg = options.alg ?? 'ES256';
      const kid = options.kid ?? (alg === 'ES256' ? 'es-1' : 'rs-1');
      const key = options.unknownKey ? stranger.privateKey : (keys.get(kid)?.pair.privateKey as CryptoKey);
      const header = { alg, kid, ...(options.typ === null ? {} : { typ: options.typ ?? 'at+jwt' }) };
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: issuer, aud: AUDIENCE, sub: 'daemon-1', iat: now, exp: now + 300, client_id: 'weather-daemon', tid: 't1', ...claims })
        .setProtectedHeader(header)
        .sign(key);
    },
    async rotate(kid) {
      keys.set(kid, { alg: 'ES256', pair: await generateKeyPair('ES256', { extractable: true }) });
      await publish();
    },
    jwksRequests: () => jwksCount,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
