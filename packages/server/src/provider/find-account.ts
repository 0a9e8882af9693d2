import type { Account, FindAccount } from 'oidc-provider';
import type { User, UserRepository } from '../db/repositories/users.js';

/** An oidc-provider account that also carries the user record, for token claims. */
export interface TesseraAccount extends Account {
  user: User;
}

/** Claims about the user, by scope (openid: tid; profile; email); `sub` is set by oidc-provider. */
export function createFindAccount(users: UserRepository, tenantId: string): FindAccount {
  return async (_ctx, id) => {
    const user = await users.find(tenantId, id);
    if (!user || user.disabled) return undefined;
    const account: TesseraAccount = {
      accountId: user.id,
      user,
      async claims() {
        return {
          sub: user.id,
          tid: tenantId,
          oid: user.id,
          name: user.name ?? undefined,
          preferred_username: user.username ?? user.email ?? undefined,
          email: user.email ?? undefined,
          email_verified: user.email ? user.emailVerified : undefined,
        };
      },
    };
    return account;
  };
}
