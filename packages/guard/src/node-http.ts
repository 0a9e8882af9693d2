import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizationFromRawHeaders } from './authorization-header.js';
import { authorizeCached, authorizeRequest, refusalHeaders, type AuthorizeResult } from './authorize.js';
import type { AccessTokenClaims } from './claims.js';
import type { Guard } from './create-guard.js';
import { createSurface } from './surface.js';
import type { GuardSurface } from './surface.js';

/** A request that passed the guard. */
export type AuthenticatedMessage = IncomingMessage & { auth: AccessTokenClaims };

/** A `node:http` handler that runs only for authorized requests. */
export type GuardedHandler = (req: AuthenticatedMessage, res: ServerResponse) => unknown;

/** Wraps a guarded handler into a plain `node:http` request listener. */
export type NodeProtect = (handler: GuardedHandler) => (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Guards for plain `node:http`: each wraps a handler, which receives `req.auth`. A handler
 * that throws or rejects gets a bare 500 (its error is not shown to the client).
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { nodeGuard } from '@tessera/guard/node-http';
 * const { requireScopes } = nodeGuard(guard);
 * createServer(requireScopes('weather.read')((req, res) => res.end(req.auth.sub))).listen(3000);
 * ```
 */
export function nodeGuard(guard: Guard, options: { onError?: (error: unknown) => void } = {}): GuardSurface<NodeProtect> {
  const fail = (res: ServerResponse, error: unknown) => {
    options.onError?.(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  };
  /** Sends the refusal, or runs the handler; returns what the handler returned. */
  const respond = (req: IncomingMessage, res: ServerResponse, result: AuthorizeResult, handler: GuardedHandler): unknown => {
    if (!result.ok) {
      res.writeHead(result.error.status, refusalHeaders(result.error)).end(JSON.stringify(result.error));
      return undefined;
    }
    (req as AuthenticatedMessage).auth = result.claims;
    return handler(req as AuthenticatedMessage, res);
  };
  const settle = (res: ServerResponse, outcome: unknown) => {
    if (outcome instanceof Promise) outcome.catch((error: unknown) => fail(res, error));
  };
  return createSurface((requirements): NodeProtect => (handler) => (req, res) => {
    const header = authorizationFromRawHeaders(req.rawHeaders);
    // A token the verified-token cache holds is answered at once, without a promise.
    const cached = authorizeCached(guard, header, requirements);
    if (cached) {
      try {
        settle(res, respond(req, res, cached, handler));
      } catch (error) {
        fail(res, error);
      }
      return;
    }
    settle(res, authorizeRequest(guard, header, requirements).then((result) => respond(req, res, result, handler)));
  });
}
