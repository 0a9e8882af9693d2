import type { Request } from 'express';
import type { FastifyRequest } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import type { RequestAuth } from '../src/express.js';
import type { FastifyRequestAuth } from '../src/fastify.js';
import {
  createWebAuth, InteractionRequiredError, WebAuthError,
  type CookieExchange, type GetAccessTokenOptions, type Session, type SessionStore, type User, type WebAuth, type WebAuthOptions,
} from '../src/index.js';

describe('public types', () => {
  it('createWebAuth takes a secret or a private key, and returns WebAuth', () => {
    expectTypeOf(createWebAuth).parameter(0).toEqualTypeOf<WebAuthOptions>();
    expectTypeOf(createWebAuth).returns.toEqualTypeOf<WebAuth>();
    const base = { issuer: 'https://id', clientId: 'c', redirectUri: 'https://a/signin-oidc', cookie: { secret: 's' } };
    expectTypeOf({ ...base, clientSecret: 's' }).toExtend<WebAuthOptions>();
    expectTypeOf({ ...base, privateKey: {} as CryptoKey }).toExtend<WebAuthOptions>();
    expectTypeOf(base).not.toExtend<WebAuthOptions>();
  });

  it('WebAuth methods', () => {
    expectTypeOf<WebAuth['getAccessToken']>().toEqualTypeOf<(exchange: CookieExchange, options: GetAccessTokenOptions) => Promise<string>>();
    expectTypeOf<WebAuth['getSession']>().returns.toEqualTypeOf<Promise<Session | undefined>>();
    expectTypeOf<Session['user']>().toEqualTypeOf<User>();
    expectTypeOf<User['sub']>().toBeString();
    expectTypeOf<User['email']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<SessionStore['get']>().returns.toEqualTypeOf<Promise<Session | undefined>>();
  });

  it('errors carry a code and InteractionRequiredError the scopes', () => {
    expectTypeOf<WebAuthError['code']>().toBeString();
    expectTypeOf<InteractionRequiredError>().toExtend<WebAuthError>();
    expectTypeOf<InteractionRequiredError['scopes']>().toEqualTypeOf<readonly string[]>();
  });

  it('adapters add user and oidc to the request', () => {
    expectTypeOf<Request['user']>().toEqualTypeOf<User | undefined>();
    expectTypeOf<Request['oidc']>().toEqualTypeOf<RequestAuth | undefined>();
    expectTypeOf<FastifyRequest['user']>().toEqualTypeOf<User | undefined>();
    expectTypeOf<FastifyRequest['oidc']>().toEqualTypeOf<FastifyRequestAuth | undefined>();
    expectTypeOf<RequestAuth['getAccessToken']>().returns.toEqualTypeOf<Promise<string>>();
  });
});
