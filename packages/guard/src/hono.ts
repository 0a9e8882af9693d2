import type { MiddlewareHandler } from 'hono';
import { authorizeRequest, refusalHeaders } from './authorize.js';
import type { AccessTokenClaims } from './claims.js';
import type { Guard } from './create-guard.js';
import { createSurface } from './surface.js';
import type { GuardSurface } from './surface.js';

/** The Hono environment the guard's middleware provides: `c.get('auth')`. */
export interface GuardEnv {
  Variables: { auth: AccessTokenClaims };
}

/**
 * Hono (4) middleware for a guard; the claims are `c.get('auth')`, typed.
 *
 * @example
 * ```ts
 * import { honoGuard } from '@tessera/guard/hono';
 * const { requireScopes } = honoGuard(guard);
 * app.get('/weather', requireScopes('weather.read'), (c) => c.json({ for: c.get('auth').sub }));
 * ```
 */
export function honoGuard(guard: Guard): GuardSurface<MiddlewareHandler<GuardEnv>> {
  return createSurface((requirements): MiddlewareHandler<GuardEnv> => async (c, next) => {
    const result = await authorizeRequest(guard, c.req.header('authorization'), requirements);
    if (!result.ok) {
      return c.body(JSON.stringify(result.error), result.error.status as 401, refusalHeaders(result.error));
    }
    c.set('auth', result.claims);
    await next();
    return undefined;
  });
}
