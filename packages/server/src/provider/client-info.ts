import type { KoaContextWithOIDC } from 'oidc-provider';

/** What MSAL reads from `client_info`: the account's object id and its tenant id. */
export interface ClientInfo {
  uid: string;
  utid: string;
}

/** base64url(JSON), the encoding Entra ID uses for `client_info`. */
export function encodeClientInfo(info: ClientInfo): string {
  return Buffer.from(JSON.stringify({ uid: info.uid, utid: info.utid }), 'utf8').toString('base64url');
}

interface WithAccount {
  accountId?: string;
}

/**
 * Entra ID's `client_info` token-response member, for MSAL (Python, Node, .NET, Java): when a
 * token request says `client_info=1` and the response carries an ID token, the response gains
 * `client_info` = base64url({"uid": oid, "utid": tenant id}). MSAL builds the account's home id
 * (`uid.utid`) from it; without it MSAL falls back to ID-token claims, so it is a convenience,
 * never a credential. `uid` is the user's `oid` (the stable id in access tokens), `utid` the
 * `tid` claim. Not an OAuth or OIDC standard member: RFC 6749 §5.1 lets clients ignore it.
 * `body` is a successful token response.
 */
export function addClientInfo(ctx: KoaContextWithOIDC, body: Record<string, unknown>, tenantId: string): void {
  if (typeof body.id_token !== 'string' || !asksForClientInfo(ctx)) return;
  const accountId = accountIdOf(ctx);
  if (accountId) body.client_info = encodeClientInfo({ uid: accountId, utid: tenantId });
}

/** MSAL sends `client_info=1` in the form body of every token request. */
function asksForClientInfo(ctx: KoaContextWithOIDC): boolean {
  const value = (ctx.oidc.body as Record<string, unknown> | undefined)?.client_info;
  return value === '1';
}

/** The user the ID token is about: the account entity, or the grant the tokens came from. */
function accountIdOf(ctx: KoaContextWithOIDC): string | undefined {
  const entities = ctx.oidc.entities as Record<string, WithAccount | undefined>;
  return entities.Account?.accountId
    ?? entities.AuthorizationCode?.accountId
    ?? entities.RefreshToken?.accountId
    ?? entities.DeviceCode?.accountId;
}
