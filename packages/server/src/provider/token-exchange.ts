import { errors, type Adapter, type FindAccount, type KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';
import type { Db } from '../db/database.js';
import { splitScope } from './oidc-scopes.js';
import { createResourceIndicators } from './resource-servers.js';
import type { TenantSnapshot } from './tenant-snapshot.js';
import { createConsentedScopes } from './token-exchange-consent.js';
import { createSubjectTokenVerifier, type SubjectToken } from './token-exchange-subject.js';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const SUBJECT_TOKEN_TYPES = new Set([ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE]);

type Params = Record<string, string | undefined>;

/** The `act` claim of each access token this grant mints, until oidc-provider asks for it. */
const actors = new WeakMap<object, Record<string, unknown>>();

/**
 * oidc-provider's `extraTokenClaims`: adds `act` to the tokens minted by on-behalf-of (it
 * overwrites a token's `extra`, so the claim cannot be set when the token is built).
 */
export async function tokenExchangeClaims(_ctx: unknown, token: object): Promise<Record<string, unknown> | undefined> {
  const act = actors.get(token);
  return act && { act };
}

/** What one on-behalf-of request asks for, whichever grant type carried it. */
interface ExchangeRequest {
  subjectToken: string;
  /** The downstream API identifier, from `resource` or `audience`. */
  target: string | undefined;
  scopes: string[];
}

/**
 * On-behalf-of (RFC 8693 token exchange, and the jwt-bearer form with
 * `requested_token_use=on_behalf_of` that MSAL sends): an API's own confidential application
 * exchanges a user's access token for the API for a token to a downstream API, as that user.
 *
 * Who may exchange (docs/token-exchange.md): the subject token's audience must be the API
 * `api://{client_id}` of the authenticated caller — the Entra ID convention for the API an
 * application exposes — and the caller must hold a delegated permission on the downstream API.
 * The new token: `sub` pairwise for the caller (as if the user had signed in to it), `oid`
 * unchanged, scopes = requested ∩ the caller's permission ∩ what the user consented to the
 * caller for that API, `act` naming the caller (nesting any earlier `act`, RFC 8693 §4.1).
 */
export function registerTokenExchange(provider: Provider, options: { snapshot: TenantSnapshot; db: Db; revoked: Adapter; findAccount: FindAccount }): void {
  const { snapshot } = options;
  const verifySubject = createSubjectTokenVerifier(options);
  const consentedScopes = createConsentedScopes(options.db, snapshot.tenant.id);
  const resources = createResourceIndicators(snapshot);

  const exchange = (read: (params: Params) => ExchangeRequest, issuedTokenType: boolean) => async (ctx: KoaContextWithOIDC) => {
    const request = read(ctx.oidc.params as Params);
    const client = ctx.oidc.client!;
    const subject = await verifySubject(request.subjectToken);
    assertCallerIsAudience(subject, client.clientId);
    const target = await resolveTarget(request.target, client.clientId);
    const scopes = await allowedScopes(request.scopes, target, subject.accountId, client.clientId);
    const account = await options.findAccount(ctx, subject.accountId);
    if (!account) throw invalidGrant('the user of subject_token no longer exists');
    ctx.oidc.entity('Account', account);

    const resourceServer = await resources.getResourceServerInfo(ctx, target, client);
    const token = new ctx.oidc.provider.AccessToken({
      accountId: subject.accountId,
      client,
      gty: 'token_exchange',
      scope: scopes.join(' '),
    } as never);
    token.resourceServer = resourceServer as never;
    actors.set(token, actorClaim(client.clientId, subject));
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();
    ctx.body = {
      access_token: value,
      ...(issuedTokenType ? { issued_token_type: ACCESS_TOKEN_TYPE } : {}),
      token_type: 'Bearer',
      expires_in: token.expiration,
      scope: scopes.join(' '),
    };
  };

  async function resolveTarget(target: string | undefined, clientId: string): Promise<string> {
    if (!target) throw new errors.InvalidTarget('name the downstream API with resource (or audience, or scope={api}/.default)');
    if (!snapshot.apis.has(target)) throw new errors.InvalidTarget(`unknown API ${target}`);
    const app = await snapshot.findApplication(clientId);
    if (!app?.permissions.some((permission) => permission.api === target)) {
      throw new errors.InvalidTarget(`the application has no permission on ${target}`);
    }
    return target;
  }

  async function allowedScopes(requested: string[], target: string, accountId: string, clientId: string): Promise<string[]> {
    const app = await snapshot.findApplication(clientId);
    const permitted = new Set(app?.permissions.filter((p) => p.api === target).flatMap((p) => p.scopes));
    const consented = await consentedScopes(accountId, clientId, target);
    const wanted = requested.length ? requested : [...permitted];
    const notPermitted = wanted.filter((scope) => !permitted.has(scope));
    if (notPermitted.length) throw new errors.InvalidScope('the application has no permission for the requested scope', notPermitted.join(' '));
    const scopes = wanted.filter((scope) => consented.has(scope));
    if (!scopes.length) {
      // As Entra ID's AADSTS65001: the user must first consent to the middle tier for this API.
      throw invalidGrant(`consent_required: the user has not consented to ${clientId} for ${target}`);
    }
    return scopes;
  }

  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, exchange(readTokenExchange, true) as never,
    ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'resource', 'audience', 'scope']);
  provider.registerGrantType(JWT_BEARER_GRANT, exchange(readJwtBearer, false) as never,
    ['assertion', 'requested_token_use', 'resource', 'scope']);
}

/** RFC 8693 §2.1. The caller authenticates as itself; a separate actor_token is not supported. */
function readTokenExchange(params: Params): ExchangeRequest {
  if (!params.subject_token) throw new errors.InvalidRequest('missing required parameter \'subject_token\'');
  if (!params.subject_token_type || !SUBJECT_TOKEN_TYPES.has(params.subject_token_type)) {
    throw new errors.InvalidRequest('subject_token_type must be urn:ietf:params:oauth:token-type:access_token (or :jwt)');
  }
  if (params.actor_token || params.actor_token_type) throw new errors.InvalidRequest('actor_token is not supported; the authenticated client is the actor');
  if (params.requested_token_type && !SUBJECT_TOKEN_TYPES.has(params.requested_token_type)) {
    throw new errors.InvalidRequest('only access tokens can be requested');
  }
  if (params.resource && params.audience && params.resource !== params.audience) {
    throw new errors.InvalidTarget('resource and audience name different APIs');
  }
  return { subjectToken: params.subject_token, target: params.resource ?? params.audience, scopes: splitScope(params.scope) };
}

/** Entra ID's on-behalf-of request (RFC 7523 grant type with `requested_token_use=on_behalf_of`). */
function readJwtBearer(params: Params): ExchangeRequest {
  if (!params.assertion) throw new errors.InvalidRequest('missing required parameter \'assertion\'');
  if (params.requested_token_use !== 'on_behalf_of') {
    throw new errors.InvalidRequest('only requested_token_use=on_behalf_of is supported for this grant type');
  }
  return { subjectToken: params.assertion, target: params.resource, scopes: splitScope(params.scope) };
}

/** The caller must be the application behind the API the user's token was issued for. */
function assertCallerIsAudience(subject: SubjectToken, clientId: string): void {
  if (!subject.audiences.includes(`api://${clientId}`)) {
    throw invalidGrant(`subject_token was not issued for the caller's API (api://${clientId})`);
  }
}

/** RFC 8693 §4.1: the current actor first, earlier actors nested inside. */
function actorClaim(clientId: string, subject: SubjectToken): Record<string, unknown> {
  const previous = subject.payload.act;
  return { sub: clientId, ...(previous && typeof previous === 'object' ? { act: previous } : {}) };
}

/**
 * `invalid_grant` with a description: oidc-provider's InvalidGrant always says "grant request is
 * invalid", but the caller here is an authenticated confidential client that needs to know why.
 */
function invalidGrant(description: string): Error {
  return new errors.CustomOIDCProviderError('invalid_grant', description);
}
