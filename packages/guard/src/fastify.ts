import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { authorizationFromRawHeaders } from './authorization-header.js';
import { authorizeRequest, refusalHeaders } from './authorize.js';
import type { AccessTokenClaims } from './claims.js';
import type { Guard } from './create-guard.js';
import { createSurface } from './surface.js';
import type { GuardSurface } from './surface.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The validated access-token claims, set by `@tessera/guard/fastify`. */
    auth?: AccessTokenClaims;
  }
}

/**
 * Fastify (5) `preHandler` hooks for a guard. Decorate the request once
 * (`app.decorateRequest('auth', undefined)`) so Fastify keeps its request shape stable.
 *
 * @example
 * ```ts
 * import { fastifyGuard } from '@tessera/guard/fastify';
 * const { requireScopes } = fastifyGuard(guard);
 * app.get('/weather', { preHandler: requireScopes('weather.read') }, async (request) => ({ for: request.auth?.sub }));
 * ```
 */
export function fastifyGuard(guard: Guard): GuardSurface<preHandlerAsyncHookHandler> {
  return createSurface((requirements): preHandlerAsyncHookHandler => async function guardPreHandler(request: FastifyRequest, reply: FastifyReply) {
    const result = await authorizeRequest(guard, authorizationFromRawHeaders(request.raw.rawHeaders), requirements);
    if (result.ok) {
      request.auth = result.claims;
      return;
    }
    await reply.code(result.error.status).headers(refusalHeaders(result.error)).send(JSON.stringify(result.error));
  });
}
