import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { Adapter } from 'oidc-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TenantSnapshot } from './tenant-snapshot.js';
import { createSubjectTokenVerifier } from './token-exchange-subject.js';

/**
 * The subject token of an on-behalf-of request: only the tenant's own, unexpired, unrevoked
 * user access tokens for one of its APIs. Tokens are signed here with a key the fake tenant
 * owns, so expiry and issuer can be set freely (no waiting).
 */
const ISSUER = 'https://id.example/demo';
const API = 'api://weather';
let privateKey: CryptoKey;
let verify: ReturnType<typeof createSubjectTokenVerifier>;
const revokedJtis = new Set<string>();

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  const jwk: JWK = { ...await exportJWK(pair.privateKey), kid: 'k1', alg: 'ES256', use: 'sig' };
  const snapshot = { issuer: ISSUER, keys: { keys: [jwk], validUntil: Infinity }, apis: new Map([[API, {}]]) } as unknown as TenantSnapshot;
  const revoked = { find: async (jti: string) => (revokedJtis.has(jti) ? { jti } : undefined) } as unknown as Adapter;
  verify = createSubjectTokenVerifier({ snapshot, revoked });
});

interface Options { typ?: string; iss?: string; aud?: string; exp?: number; claims?: Record<string, unknown>; key?: CryptoKey }

async function token(options: Options = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'weather-web', oid: 'user-1', scope: 'weather.read', ...options.claims })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: options.typ ?? 'at+jwt' })
    .setIssuer(options.iss ?? ISSUER).setAudience(options.aud ?? API).setSubject('pairwise-sub')
    .setJti(`jti-${Math.random()}`).setIssuedAt(now).setExpirationTime(options.exp ?? now + 600)
    .sign(options.key ?? privateKey);
}

const refusal = async (jwt: string) => verify(jwt).then(() => undefined, (error: { error?: string; error_description?: string }) => error);

describe('createSubjectTokenVerifier', () => {
  it('accepts a user access token for an API of the tenant', async () => {
    const subject = await verify(await token());
    expect(subject).toMatchObject({ accountId: 'user-1', audiences: [API], payload: { client_id: 'weather-web' } });
  });

  it('refuses an expired token', async () => {
    const error = await refusal(await token({ exp: Math.floor(Date.now() / 1000) - 120 }));
    expect(error).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('expired') });
  });

  it('refuses an ID token (typ JWT), another issuer, and another signer', async () => {
    expect(await refusal(await token({ typ: 'JWT' }))).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('typ') });
    expect(await refusal(await token({ iss: 'https://id.example/other' }))).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('iss') });
    const stranger = (await generateKeyPair('ES256')).privateKey;
    expect(await refusal(await token({ key: stranger }))).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('signature') });
  });

  it('refuses a token for something other than an API of the tenant', async () => {
    expect(await refusal(await token({ aud: 'weather-web' }))).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a revoked token', async () => {
    const jwt = await token();
    const { jti } = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { jti: string };
    revokedJtis.add(jti);
    expect(await refusal(jwt)).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('revoked') });
  });

  it("refuses an application's own token (no user) and one without oid", async () => {
    expect(await refusal(await token({ claims: { client_id: 'pairwise-sub' } }))).toMatchObject({ error: 'invalid_grant' });
    expect(await refusal(await token({ claims: { oid: undefined } }))).toMatchObject({ error: 'invalid_grant' });
  });
});
