import type { CookieExchange } from './cookies.js';
import type { Sealer } from './sealed-value.js';

/**
 * One sign-in in progress, kept in its own short-lived encrypted cookie: the browser that started
 * the sign-in is the only one that can finish it. `state` stops CSRF on the callback (RFC 6749
 * §10.12), `nonce` ties the ID token to it (OIDC Core §3.1.2.1), and the PKCE verifier ties the
 * code to it (RFC 7636; S256 only, RFC 9700 §2.1.1).
 */
export interface Transaction {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** Every scope asked for in this sign-in. */
  scopes: string[];
}

/** Ten minutes to get through the provider's pages. */
export const TRANSACTION_LIFETIME_SECONDS = 600;

export interface TransactionCookie {
  write(exchange: CookieExchange, transaction: Transaction): Promise<void>;
  read(exchange: CookieExchange): Promise<Transaction | undefined>;
  clear(exchange: CookieExchange): void;
}

export function createTransactionCookie(options: { name: string; secure: boolean; sealer: Sealer; clock: () => number }): TransactionCookie {
  const { name, secure, sealer, clock } = options;
  return {
    async write(exchange, transaction) {
      const sealed = await sealer.seal({ tx: transaction }, clock() + TRANSACTION_LIFETIME_SECONDS * 1000);
      exchange.set(name, sealed, { secure, maxAge: TRANSACTION_LIFETIME_SECONDS });
    },
    async read(exchange) {
      const sealed = exchange.get(name);
      const payload = sealed ? await sealer.unseal(sealed) : undefined;
      const tx = payload?.tx as Partial<Transaction> | undefined;
      if (typeof tx?.state !== 'string' || typeof tx.nonce !== 'string' || typeof tx.codeVerifier !== 'string'
        || typeof tx.returnTo !== 'string' || !Array.isArray(tx.scopes)) return undefined;
      return tx as Transaction;
    },
    clear(exchange) {
      if (exchange.get(name) !== undefined) exchange.set(name, '', { secure, maxAge: 0 });
    },
  };
}
