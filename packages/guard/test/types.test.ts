import type { MiddlewareHandler } from 'hono';
import type { RequestHandler } from 'express';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createGuard, GuardError, requireAny, requireRoles, requireScopes } from '../src/index.js';
import type { AccessTokenClaims, GuardErrorCode, Requirement } from '../src/index.js';
import { expressGuard } from '../src/express.js';
import { fastifyGuard } from '../src/fastify.js';
import { honoGuard } from '../src/hono.js';
import type { GuardEnv } from '../src/hono.js';
import { nodeGuard } from '../src/node-http.js';
import type { AuthenticatedMessage } from '../src/node-http.js';

/** Type tests of the public API (STYLE.md: the SDK packages follow jose). */
describe('public types', () => {
  const guard = createGuard({ issuer: 'https://id.example/acme', audience: 'api://weather' });

  it('verify resolves to typed claims', () => {
    expectTypeOf(guard.verify).returns.resolves.toEqualTypeOf<AccessTokenClaims>();
    expectTypeOf<AccessTokenClaims['roles']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<AccessTokenClaims['scp']>().toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf<AccessTokenClaims['sub']>().toEqualTypeOf<string>();
  });

  it('errors carry a code and a status', () => {
    expectTypeOf<GuardError['code']>().toEqualTypeOf<GuardErrorCode>();
    expectTypeOf<GuardError['status']>().toEqualTypeOf<number>();
  });

  it('requirements compose', () => {
    expectTypeOf(requireAny(requireScopes('a'), requireRoles('b'))).toEqualTypeOf<Requirement>();
  });

  it('each adapter yields its framework middleware and typed claims', () => {
    expectTypeOf(expressGuard(guard).requireScopes('a')).toExtend<RequestHandler>();
    expectTypeOf(fastifyGuard(guard).requireRoles('a')).toExtend<preHandlerAsyncHookHandler>();
    expectTypeOf(honoGuard(guard).authenticate()).toExtend<MiddlewareHandler<GuardEnv>>();
    expectTypeOf<GuardEnv['Variables']['auth']>().toEqualTypeOf<AccessTokenClaims>();
    expectTypeOf<AuthenticatedMessage['auth']>().toEqualTypeOf<AccessTokenClaims>();
    expectTypeOf(nodeGuard(guard).requireScopes('a')).parameter(0).parameter(0).toEqualTypeOf<AuthenticatedMessage>();
    expectTypeOf<Express.Request['auth']>().toEqualTypeOf<AccessTokenClaims | undefined>();
  });

  it('refuses options that are not options', () => {
    // @ts-expect-error audience is required
    expect(() => createGuard({ issuer: 'https://id.example/acme' })).toThrow('audience is required');
  });
});
