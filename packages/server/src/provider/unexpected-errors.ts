import type { CookiesSetOptions, KoaContextWithOIDC } from 'oidc-provider';
import { correlationIdOf } from './token-audit.js';

/** Where errors of the protocol endpoints are logged (the HTTP server's logger). */
export interface ProtocolErrorLog {
  error(fields: Record<string, unknown>, message: string): void;
}

type Ctx = KoaContextWithOIDC;
type Renderer = (ctx: Ctx, out: { error: string; error_description?: string }) => Promise<void>;

/** The provider's session lifetime and its cookie options (`ttl.Session`, `cookies.long`). */
interface SessionSettings {
  ttlSeconds: number;
  cookie: CookiesSetOptions;
}

interface OAuthError {
  error: string;
  error_description?: string;
  statusCode: number;
  expose?: boolean;
}

/** The device pages: where oidc-provider draws its code form again after an error. */
const DEVICE_PAGES = new Set(['code_verification', 'device_resume']);

/**
 * The outermost Koa middleware of every tenant's provider. oidc-provider answers errors inside
 * its endpoints itself (an OAuth error, or our error page); an error that escapes them (from one
 * of our middlewares, a failing database or rate-limit store, the engine's own last step) would
 * reach Koa's default handler, which answers a bare `Internal Server Error` in text/plain after
 * removing every header already set — the security headers and the correlation id with them.
 * Here it is logged with the correlation id and answered as the protocol answers: an OAuth error
 * (`server_error` when it is not one, RFC 6749 §5.2), as JSON or, for a browser, the error page
 * with the correlation id (STYLE.md §8, OWASP ASVS V7.4.1: a generic message, never the cause).
 */
export function createUnexpectedErrorHandler(options: { log: ProtocolErrorLog; renderError: Renderer; session: SessionSettings }) {
  return async (ctx: Ctx, next: () => Promise<void>): Promise<void> => {
    try {
      await next();
    } catch (error) {
      if (ctx.headerSent || !ctx.writable) throw error; // nothing can be answered any more
      if (await keepDevicePage(ctx, error, options.session)) return;
      const oauth = asClientError(error);
      if (!oauth) logError(options.log, ctx, error, 'unexpected error in a protocol endpoint');
      ctx.status = oauth?.statusCode ?? 500;
      const out = oauth
        ? { error: oauth.error, ...(oauth.error_description ? { error_description: oauth.error_description } : {}) }
        : { error: 'server_error', error_description: 'an unexpected error occurred; it was logged with this correlation id' };
      if (ctx.accepts('json', 'html') === 'html') {
        await options.renderError(ctx, out);
      } else {
        const correlationId = correlationIdOf(ctx);
        ctx.body = { ...out, ...(correlationId ? { correlation_id: correlationId } : {}) };
      }
    }
  };
}

/** Errors oidc-provider answered itself with `server_error`: logged too (the engine only emits them). */
export function logEngineServerErrors(provider: { on(event: 'server_error', listener: (ctx: Ctx, error: unknown) => void): unknown }, log: ProtocolErrorLog): void {
  provider.on('server_error', (ctx, error) => logError(log, ctx, error, 'server_error in a protocol endpoint'));
}

function logError(log: ProtocolErrorLog, ctx: Ctx, error: unknown, message: string): void {
  log.error({ err: error, correlationId: correlationIdOf(ctx), path: ctx.path }, message);
}

/** An OAuth error meant for the client (4xx, exposed), as oidc-provider's error classes are. */
function asClientError(error: unknown): OAuthError | undefined {
  const candidate = error as Partial<OAuthError> | undefined;
  if (typeof candidate?.error !== 'string' || typeof candidate.statusCode !== 'number') return undefined;
  return candidate.expose && candidate.statusCode >= 400 && candidate.statusCode < 500 ? candidate as OAuthError : undefined;
}

/**
 * A defect of oidc-provider 9 on the device pages (`/device`, `/device/{uid}`): for a request
 * without its session cookie (cookies blocked or expired, a stale link), its error handler draws
 * the code form again with a new CSRF secret in a session that the session step had just decided
 * not to save, and the endpoint's last step then fails to persist that never-saved session. The
 * page is already drawn; saving the session and setting its cookie, as the session step does,
 * lets the form it carries be submitted. Returns whether the response stands.
 */
async function keepDevicePage(ctx: Ctx, error: unknown, settings: SessionSettings): Promise<boolean> {
  const session = ctx.oidc?.session as { new?: boolean; touched?: boolean; id: string; save(ttl: number): Promise<unknown> } | undefined;
  if (!(error instanceof TypeError) || !DEVICE_PAGES.has(ctx.oidc?.route ?? '') || !session?.new || !session.touched) return false;
  if (ctx.status < 400 || ctx.body == null) return false;
  await session.save(settings.ttlSeconds);
  // `maxAge` is the cookies library's own option, beside the engine's typed ones.
  const cookie: CookiesSetOptions & { maxAge: number } = { ...settings.cookie, maxAge: settings.ttlSeconds * 1000 };
  ctx.oidc.cookies.set(ctx.oidc.provider.cookieName('session'), session.id, cookie);
  return true;
}
