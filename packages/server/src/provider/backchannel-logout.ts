import { setTimeout as delay } from 'node:timers/promises';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditWriter } from '../audit/audit-writer.js';
import { correlationIdOf } from './token-audit.js';

/**
 * OpenID Connect Back-Channel Logout 1.0. oidc-provider builds the logout token (a JWT signed
 * with the tenant's keys: `iss`, `aud` = client_id, `sub`, `sid`, `events`, `jti`, no `nonce`,
 * `typ: logout+jwt`, 120 s) and POSTs it to each `backchannel_logout_uri` of the session when
 * the session ends (RP-initiated logout), once, waiting at most 2.5 s, and tells the outcome
 * only by its `backchannel.success` / `backchannel.error` events. What Tessera adds:
 *
 * - a bounded retry (§2.8 lets the OP retry; a restarting application should not miss the
 *   logout): after a failure, two more attempts in the background, each with a fresh token
 *   (new `jti` and `iat`), so the browser is never held up by a slow application;
 * - audit events: `logout.backchannel_sent` (with the attempt) and, after the last failed
 *   attempt, `logout.backchannel_failed`; those of the first attempt are written before the
 *   logout response leaves;
 * - loopback delivery (see `fetchAllowingLoopbackLogout`).
 */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Waits before the second and the third attempt. */
export const BACKCHANNEL_RETRY_DELAYS_MS: readonly number[] = [500, 2_000];

/** `features.backchannelLogout` for oidc-provider. */
export function createBackchannelLogout() {
  return { enabled: true };
}

/** The part of oidc-provider's Client model used here (its typings omit the method). */
interface LogoutClient {
  clientId: string;
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string): Promise<void>;
}

interface Options {
  tenantId: string;
  audit: AuditWriter;
  retryDelaysMs?: readonly number[];
  /** Where an audit write that failed is reported; stderr by default. */
  warn?: (message: string, error: unknown) => void;
}

/** Listens to oidc-provider's back-channel events; audits and retries. */
export function registerBackchannelLogout(provider: Provider, options: Options): void {
  const { tenantId, audit } = options;
  const delays = options.retryDelaysMs ?? BACKCHANNEL_RETRY_DELAYS_MS;
  const warn = options.warn ?? ((message, error) => process.stderr.write(`${message}: ${String(error)}\n`));
  // Audit writes of the first attempt, per request, awaited before the response leaves.
  const pending = new WeakMap<object, Promise<void>[]>();

  provider.use(async (ctx, next) => {
    await next();
    const writes = pending.get(ctx);
    if (writes) await Promise.all(writes);
  });

  const record = (ctx: KoaContextWithOIDC | undefined, delivery: Delivery, outcome: Outcome): Promise<void> =>
    audit.write({
      tenantId,
      type: outcome.ok ? 'logout.backchannel_sent' : 'logout.backchannel_failed',
      outcome: outcome.ok ? 'success' : 'failure',
      actor: delivery.accountId,
      subject: delivery.accountId,
      clientId: delivery.client.clientId,
      correlationId: ctx ? correlationIdOf(ctx) : delivery.correlationId,
      data: {
        sid: delivery.sid, attempts: outcome.attempts, uri: delivery.client.backchannelLogoutUri ?? null,
        ...(outcome.ok ? {} : { error: errorMessage(outcome.error) }),
      },
    }).catch((error: unknown) => warn('back-channel logout: audit write failed', error));

  const retry = async (delivery: Delivery, firstError: unknown): Promise<void> => {
    let error = firstError;
    for (const [index, wait] of delays.entries()) {
      await delay(wait, undefined, { ref: false });
      try {
        await delivery.client.backchannelLogout(delivery.accountId, delivery.sid);
        await record(undefined, delivery, { ok: true, attempts: index + 2 });
        return;
      } catch (next) {
        error = next;
      }
    }
    warn(`back-channel logout to ${delivery.client.clientId} failed after ${delays.length + 1} attempts`, error);
    await record(undefined, delivery, { ok: false, attempts: delays.length + 1, error });
  };

  const track = (ctx: KoaContextWithOIDC, write: Promise<void>) => {
    const writes = pending.get(ctx) ?? [];
    writes.push(write);
    pending.set(ctx, writes);
  };

  // oidc-provider's typings do not list the back-channel events.
  const events = provider as unknown as NodeJS.EventEmitter;
  events.on('backchannel.success', (ctx: KoaContextWithOIDC, client: LogoutClient, accountId: string, sid: string) => {
    track(ctx, record(ctx, { client, accountId, sid, correlationId: correlationIdOf(ctx) }, { ok: true, attempts: 1 }));
  });
  events.on('backchannel.error', (ctx: KoaContextWithOIDC, error: unknown, client: LogoutClient, accountId: string, sid: string) => {
    const delivery = { client, accountId, sid, correlationId: correlationIdOf(ctx) };
    if (!delays.length) {
      track(ctx, record(ctx, delivery, { ok: false, attempts: 1, error }));
      return;
    }
    void retry(delivery, error);
  });
}

interface Delivery { client: LogoutClient; accountId: string; sid: string; correlationId: string | undefined }
type Outcome = { ok: true; attempts: number } | { ok: false; attempts: number; error: unknown };

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * oidc-provider's `fetch`. oidc-provider hands every outgoing request a dispatcher that refuses
 * private and loopback addresses (SSRF protection). A logout token to a loopback
 * `backchannel_logout_uri` — one the configuration accepts (http on loopback, for development
 * and an application on the same host) — goes without it; every other request, logout tokens
 * to private networks included, keeps the protection.
 */
export function fetchAllowingLoopbackLogout(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? new URL(input.url) : new URL(input);
  const isLogoutToken = init?.body instanceof URLSearchParams && init.body.has('logout_token');
  if (init && isLogoutToken && LOOPBACK_HOSTS.has(url.hostname)) {
    const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
    return globalThis.fetch(input, rest);
  }
  return globalThis.fetch(input, init);
}
