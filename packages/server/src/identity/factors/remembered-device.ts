import { createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { hashAccountToken } from '../../db/repositories/account-tokens.js';
import { createRememberedDeviceRepository } from '../../db/repositories/factors.js';
import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';

export const DEVICE_COOKIE = 'tessera_device';

const macKey = (secretKey: Buffer) => Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), 'tessera remembered device cookie', 32));

function mac(ctx: RequestContext, userId: string, id: string, token: string, expires: number): string {
  return createHmac('sha256', macKey(ctx.deps.secretKey)).update(`${ctx.tenant.id}|${userId}|${id}|${token}|${expires}`).digest('base64url');
}

/**
 * "Remember this device" after a second factor: a cookie `{user}.{grant}.{token}.{expiry}.{mac}`,
 * signed with a key derived from the master key and backed by a row that can be revoked (from
 * the security page, or by a password reset). Only the token's hash is stored.
 */
export async function rememberDevice(ctx: RequestContext, user: User): Promise<{ value: string; expiresAt: Date } | undefined> {
  const days = ctx.settings.mfa.rememberDeviceDays;
  if (days <= 0) return undefined;
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.now.getTime() + days * 86_400_000);
  await createRememberedDeviceRepository(ctx.deps.db).insert({ id, tenantId: ctx.tenant.id, userId: user.id, tokenHash: hashAccountToken(token),
    userAgent: ctx.userAgent, now: ctx.now, expiresAt });
  await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'device.remembered', actor: user.id, subject: user.id, correlationId: ctx.correlationId,
    data: { deviceId: id, days, ip: ctx.ip } });
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return { value: `${user.id}.${id}.${token}.${expires}.${mac(ctx, user.id, id, token, expires)}`, expiresAt };
}

/** Whether the request's device cookie is a live, correctly signed grant for this user. */
export async function isRememberedDevice(ctx: RequestContext, user: User): Promise<boolean> {
  const parts = ctx.deviceCookie?.split('.');
  if (!parts || parts.length !== 5) return false;
  const [userId, id, token, expiresText, signature] = parts as [string, string, string, string, string];
  const expires = Number(expiresText);
  if (userId !== user.id || !Number.isSafeInteger(expires) || expires * 1000 <= ctx.now.getTime()) return false;
  const expected = Buffer.from(mac(ctx, userId, id, token, expires));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  return Boolean(await createRememberedDeviceRepository(ctx.deps.db).use(ctx.tenant.id, user.id, hashAccountToken(token), ctx.now));
}
