import type { FastifyRequest } from 'fastify';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import { isValidTenantId } from '../db/repositories/tenants.js';
import { availableLocales } from '../i18n/catalogs.js';
import { negotiateLocale } from '../i18n/negotiate-locale.js';
import type { AccountDeps, RequestContext } from '../identity/account-deps.js';
import type { ProviderRegistry } from '../provider/provider-registry.js';
import { readCookie, sessionCookie } from './cookies.js';
import { DEVICE_COOKIE } from '../identity/factors/remembered-device.js';

export const SESSION_COOKIE = 'tessera_session';

/** The language of what this request's sender reads, from Accept-Language among the shipped catalogs (docs/i18n.md). */
export function requestLocale(request: Pick<FastifyRequest, 'headers'>): string {
  return negotiateLocale(request.headers['accept-language'], availableLocales());
}

/**
 * Builds the account flows' view of a request: tenant and its settings (from the cached tenant
 * runtime), caller address, and the session — from the HttpOnly cookie on pages, from
 * `Authorization: Bearer` on the JSON API (which never reads cookies, so it needs no CSRF token) —
 * and the language negotiated from Accept-Language (`uiLocale`) for the messages and pages.
 */
export function createAccountContexts(options: { deps: AccountDeps; registry: ProviderRegistry; basePath: string; secureCookies: boolean }) {
  const { deps, registry } = options;
  const sessions = createAccountSessionRepository(deps.db);

  async function forRequest(request: FastifyRequest, tenantId: string, auth: 'cookie' | 'bearer'): Promise<RequestContext | undefined> {
    const runtime = isValidTenantId(tenantId) ? await registry.get(tenantId) : undefined;
    if (!runtime) return undefined;
    const now = deps.clock();
    const tenant = runtime.snapshot.tenant;
    const token = auth === 'cookie' ? readCookie(request.headers.cookie, SESSION_COOKIE) : bearerToken(request.headers.authorization);
    const session = token ? await sessions.findActive(tenant.id, token, now) : undefined;
    return {
      deps, tenant, settings: tenant.accountSettings, ip: request.ip, userAgent: request.headers['user-agent'],
      uiLocale: requestLocale(request), correlationId: request.id, session, now,
      deviceCookie: auth === 'cookie' ? readCookie(request.headers.cookie, DEVICE_COOKIE) : undefined,
      applicationMfa: async (clientId: string) => (await runtime.snapshot.findApplication(clientId))?.mfa,
    };
  }

  return {
    forRequest,
    cookiePath: (tenantId: string) => `${options.basePath}/${tenantId}/`,
    setSessionCookie(tenantId: string, token: string, expiresAt: Date, now: Date): string {
      return sessionCookie({ name: SESSION_COOKIE, value: token, path: `${options.basePath}/${tenantId}/`, secure: options.secureCookies,
        maxAgeSeconds: (expiresAt.getTime() - now.getTime()) / 1000 });
    },
    /** "Remember this device" (identity/factors/remembered-device.ts): HttpOnly, for this tenant's paths only. */
    setDeviceCookie(tenantId: string, value: string, expiresAt: Date, now: Date): string {
      return sessionCookie({ name: DEVICE_COOKIE, value, path: `${options.basePath}/${tenantId}/`, secure: options.secureCookies,
        maxAgeSeconds: (expiresAt.getTime() - now.getTime()) / 1000 });
    },
    clearSessionCookie(tenantId: string): string {
      return sessionCookie({ name: SESSION_COOKIE, value: '', path: `${options.basePath}/${tenantId}/`, secure: options.secureCookies, maxAgeSeconds: 0 });
    },
  };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer ([A-Za-z0-9_-]{20,200})$/.exec(header ?? '');
  return match?.[1];
}

export type AccountContexts = ReturnType<typeof createAccountContexts>;
