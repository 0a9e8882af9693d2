import { compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { EngineSigningKey } from './engine-signing-key.js';

async function privateJwk(alg: 'ES256' | 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `kid-${alg}`, alg, use: 'sig' };
}

/** A JWS as oidc-provider assembles it around an external key's signature. */
async function jws(key: EngineSigningKey, payload: object): Promise<string> {
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })}.${b64(payload)}`;
  const signature = await key.sign(Buffer.from(input));
  return `${input}.${Buffer.from(signature).toString('base64url')}`;
}

describe('engine signing key', () => {
  for (const alg of ['ES256', 'RS256'] as const) {
    it(`signs ${alg} that jose verifies with the published public key, which has no private member`, async () => {
      const jwk = await privateJwk(alg);
      const key = new EngineSigningKey(jwk);
      expect(key.kid).toBe(jwk.kid);
      expect(key.alg).toBe(alg);
      expect(key.use).toBe('sig');

      const published = key.keyObject().export({ format: 'jwk' });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(published).not.toHaveProperty(member);
      expect(key.kty).toBe(jwk.kty);

      const token = await jws(key, { sub: 'alice' });
      const verified = await compactVerify(token, await importJWK({ ...published, alg }, alg));
      expect(JSON.parse(Buffer.from(verified.payload).toString())).toEqual({ sub: 'alice' });

      // The signature covers the input: one byte changed is refused.
      const [header, payload, signature] = token.split('.');
      const tampered = `${header}.f${payload!.slice(1)}.${signature}`;
      await expect(compactVerify(tampered, await importJWK({ ...published, alg }, alg))).rejects.toThrow();
    });
  }

  it('gives ES256 signatures as r‖s (64 bytes), as JWS requires, not DER', async () => {
    const key = new EngineSigningKey(await privateJwk('ES256'));
    expect(Buffer.from(await key.sign(Buffer.from('x'))).length).toBe(64);
  });

  it('refuses a key without a kid or with another algorithm', async () => {
    const jwk = await privateJwk('ES256');
    expect(() => new EngineSigningKey({ ...jwk, kid: undefined })).toThrow(/without a kid/);
    expect(() => new EngineSigningKey({ ...jwk, alg: 'ES384' })).toThrow(/unsupported algorithm ES384/);
  });
});
