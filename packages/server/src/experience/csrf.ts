import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens for our forms (OWASP CSRF Prevention Cheat Sheet): an HMAC of the
 * interaction id under a per-tenant key, so a token is valid only for its own sign-in.
 */
export function createCsrfTokens(masterKey: Buffer) {
  const keys = new Map<string, Buffer>();
  const keyFor = (tenantId: string) => {
    let key = keys.get(tenantId);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `tessera csrf ${tenantId}`, 32));
      keys.set(tenantId, key);
    }
    return key;
  };
  const sign = (tenantId: string, binding: string) =>
    createHmac('sha256', keyFor(tenantId)).update(binding).digest('base64url');

  return {
    issue: sign,
    verify(tenantId: string, binding: string, presented: unknown): boolean {
      if (typeof presented !== 'string') return false;
      const expected = Buffer.from(sign(tenantId, binding));
      const actual = Buffer.from(presented);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
  };
}

export type CsrfTokens = ReturnType<typeof createCsrfTokens>;
