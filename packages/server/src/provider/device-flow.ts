import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Db } from '../db/database.js';
import {
  deviceCodeProblem, deviceSuccessPage, deviceThrottledPage, userCodeConfirmPage, userCodeInputPage,
} from '../experience/device-pages.js';
import { availableLocales } from '../i18n/catalogs.js';
import { negotiateLocale } from '../i18n/negotiate-locale.js';
import { createTranslator } from '../i18n/translator.js';
import { formatWait } from '../identity/flows/flow-text.js';
import { createLimiterStore, ipSubject, limitKey, type LimiterStore } from '../security/rate-limits/index.js';
import type { LimitSettings } from '../security/rate-limits/limit-settings.js';
import { correlationIdOf } from './token-audit.js';

/** The device authorization grant (RFC 8628 §3.4). Native apps may use it (client-metadata.ts). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Seconds a device waits between polls (RFC 8628 §3.2 `interval`; also its default when absent). */
export const DEVICE_POLL_INTERVAL_SECONDS = 5;

/**
 * Polls closer together than this are answered `slow_down` (RFC 8628 §3.5). One second less than
 * the interval, so a device that polls on time is never refused for a slow request before it.
 */
const POLL_FLOOR_SECONDS = DEVICE_POLL_INTERVAL_SECONDS - 1;

type Ctx = KoaContextWithOIDC;

const textFor = (ctx: Ctx) => createTranslator(negotiateLocale(ctx.get('accept-language'), availableLocales()), 'pages');

/**
 * oidc-provider's `features.deviceFlow`: 8 letters of the base-20 alphabet (no vowels, so no
 * words, and no look-alike characters), shown as `BCDF-GHJK`; case, spaces and dashes typed by
 * the user are ignored. The three pages are ours (experience/device-pages.ts); after the code
 * the user goes through the normal sign-in and consent pages (`interactions.url`).
 */
export function createDeviceFlow(basePath: string) {
  return {
    enabled: true,
    charset: 'base-20' as const,
    mask: '****-****',
    // oidc-provider's default stores the caller's address and User-Agent; nothing shows them.
    deviceInfo: () => ({}),
    async userCodeInputSource(ctx: Ctx, _form: string, _out: unknown, error?: unknown) {
      const problem = deviceCodeProblem(error);
      const typed = (error as { userCode?: unknown } | undefined)?.userCode;
      ctx.type = 'html';
      ctx.body = userCodeInputPage(basePath, textFor(ctx), {
        action: ctx.oidc.urlFor('code_verification'),
        xsrf: xsrfOf(ctx),
        problem,
        userCode: problem === 'NotFoundError' && typeof typed === 'string' ? typed : undefined,
      });
    },
    async userCodeConfirmSource(ctx: Ctx, _form: string, client: { clientId: string; clientName?: string | undefined }, _info: unknown, userCode: string) {
      ctx.type = 'html';
      ctx.body = userCodeConfirmPage(basePath, textFor(ctx), {
        action: ctx.oidc.urlFor('code_verification'),
        xsrf: xsrfOf(ctx) ?? '',
        clientName: client.clientName ?? client.clientId,
        userCode,
      });
    },
    async successSource(ctx: Ctx) {
      const client = ctx.oidc.client;
      ctx.type = 'html';
      ctx.body = deviceSuccessPage(basePath, textFor(ctx), client?.clientName ?? client?.clientId ?? '');
    },
  };
}

/** oidc-provider's own CSRF token for the verification forms (kept in its session state). */
function xsrfOf(ctx: Ctx): string | undefined {
  const secret = (ctx.oidc.session?.state as { secret?: unknown } | undefined)?.secret;
  return typeof secret === 'string' ? secret : undefined;
}

export interface DeviceFlowGuardDeps {
  tenantId: string;
  basePath: string;
  /** The tenant's limits (`deviceCodePerIp`). */
  limits: () => LimitSettings;
  store: LimiterStore;
  audit: AuditWriter;
  /** TESSERA_TRUST_PROXY: only then is X-Forwarded-For the client's address. */
  trustProxy: boolean;
}

/**
 * What oidc-provider does not do for the device grant, as one Koa middleware around its routes:
 * 1. limit the codes one address may submit on the verification page (RFC 8628 §5.1: a user code
 *    is short, so guessing must be slowed) — every submission counts, as a confirmation carries
 *    the code too and could otherwise be used to guess;
 * 2. answer `slow_down` to a device polling faster than the interval (§3.5);
 * 3. say the interval in the device authorization response (§3.2).
 */
export function createDeviceFlowGuard(deps: DeviceFlowGuardDeps) {
  return async (ctx: Ctx, next: () => Promise<void>): Promise<void> => {
    if (ctx.method === 'POST' && ctx.path === '/device' && !(await admitUserCode(ctx, deps))) return;
    if (ctx.method === 'POST' && ctx.path === '/token' && !(await admitPoll(ctx, deps))) return;
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (ctx.method === 'POST' && ctx.path === '/device/auth' && ctx.status === 200 && typeof body?.device_code === 'string') {
      body.interval = DEVICE_POLL_INTERVAL_SECONDS;
    }
  };
}

async function admitUserCode(ctx: Ctx, deps: DeviceFlowGuardDeps): Promise<boolean> {
  const { points, windowSeconds } = deps.limits().deviceCodePerIp;
  const ip = clientAddress(ctx.req, deps.trustProxy);
  const refusal = await refused(deps.store.limiter({ name: 'deviceCodePerIp', points, duration: windowSeconds }),
    limitKey(deps.tenantId, ipSubject(ip)));
  if (!refusal) return true;
  const wait = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
  // Once per window, when the limit is first crossed: a flood must not become a flood of audit rows.
  if (refusal.consumedPoints === points + 1) {
    await deps.audit.write({
      tenantId: deps.tenantId, type: 'device_code.throttled', outcome: 'failure', actor: null,
      correlationId: correlationIdOf(ctx) ?? null, data: { ip, limit: points, windowSeconds },
    });
  }
  const text = textFor(ctx);
  ctx.status = 429;
  ctx.set('Retry-After', String(wait));
  ctx.type = 'html';
  ctx.body = deviceThrottledPage(deps.basePath, text, formatWait(wait, text.locale));
  return false;
}

async function admitPoll(ctx: Ctx, deps: DeviceFlowGuardDeps): Promise<boolean> {
  const params = formBody(ctx.req);
  const deviceCode = params?.get('device_code');
  if (params?.get('grant_type') !== DEVICE_CODE_GRANT || !deviceCode) return true;
  // Keyed by a hash of the device code: the code itself is a credential and never stored in clear.
  const key = limitKey(deps.tenantId, createHash('sha256').update(deviceCode).digest('base64url'));
  if (!(await refused(deps.store.limiter({ name: 'devicePoll', points: 1, duration: POLL_FLOOR_SECONDS }), key))) return true;
  ctx.status = 400;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'slow_down', error_description: `poll at most every ${DEVICE_POLL_INTERVAL_SECONDS} seconds` };
  return false;
}

/** The limiter's refusal, or undefined when the call was within the limit. A failing store throws. */
async function refused(limiter: ReturnType<LimiterStore['limiter']>, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  }
}

/** The form body the HTTP layer read (protocol-routes.ts hands it over as text). */
function formBody(req: IncomingMessage): URLSearchParams | undefined {
  const body = (req as { body?: unknown }).body;
  const type = req.headers['content-type'] ?? '';
  return typeof body === 'string' && type.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(body) : undefined;
}

/**
 * The caller's address as Fastify sees it. Not Koa's `ctx.ip`: the provider runs with
 * `proxy = true` (for the public URL), so `ctx.ip` would believe any X-Forwarded-For.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return (trustProxy && first) || req.socket.remoteAddress || 'unknown';
}
