import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { authorizationFromRawHeaders } from './authorization-header.js';
import { authorizeCached, authorizeRequest, refusalHeaders, type AuthorizeResult } from './authorize.js';
import type { AccessTokenClaims } from './claims.js';
import type { Guard } from './create-guard.js';
import { createSurface } from './surface.js';
import type { GuardSurface } from './surface.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The validated access-token claims, set by `@tessera/guard/express`. */
      auth?: AccessTokenClaims;
    }
  }
}

/** An Express request that passed the guard: `req.auth` is set. */
export type AuthenticatedRequest = Request & { auth: AccessTokenClaims };

/**
 * Express (4 and 5) middleware for a guard. A refused request gets 401/403 with the RFC 6750
 * challenge and a JSON body; an accepted one has `req.auth`.
 *
 * @example
 * ```ts
 * import { expressGuard } from '@tessera/guard/express';
 * const { requireScopes } = expressGuard(guard);
 * app.get('/weather', requireScopes('weather.read'), (req, res) => res.json({ for: req.auth?.sub }));
 * ```
 */
export function expressGuard(guard: Guard): GuardSurface<RequestHandler> {
  return createSurface((requirements): RequestHandler => (req: Request, res: Response, next: NextFunction) => {
    const respond = (result: AuthorizeResult) => {
      if (result.ok) {
        req.auth = result.claims;
        next();
      } else {
        res.status(result.error.status).set(refusalHeaders(result.error)).send(JSON.stringify(result.error));
      }
    };
    // A token the verified-token cache holds is answered without waiting for a promise.
    const header = authorizationFromRawHeaders(req.rawHeaders);
    const cached = authorizeCached(guard, header, requirements);
    if (cached) respond(cached);
    else authorizeRequest(guard, header, requirements).then(respond, next);
  });
}
