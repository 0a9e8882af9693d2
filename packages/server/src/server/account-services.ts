import type { AuditWriter } from '../audit/audit-writer.js';
import type { AccountDeps } from '../identity/account-deps.js';
import { createMailer } from '../mail/mailer.js';
import { checkPassword } from '../security/password-policy/index.js';
import { createAbuseProtection } from '../security/rate-limits/index.js';
import { createSmsSender, readSmsEnv } from '../sms/sms-sender.js';
import type { Services } from './services.js';

export interface Log {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * The account flows' dependencies, wired from the server's services: @tessera/passwords for
 * hashing, the mailer (SMTP or the development outbox), brute-force limits (database or Redis)
 * and the NIST password policy.
 */
export function createAccountDeps(services: Services, audit: AuditWriter, log: Log) {
  const mailer = createMailer({ smtpUrl: services.settings.smtpUrl, db: services.db, log });
  const limits = createAbuseProtection({ db: services.db, store: services.limiterStore });
  const smsEnv = readSmsEnv();
  const deps: AccountDeps = {
    db: services.db,
    hashing: services.passwords,
    mail: mailer,
    sms: createSmsSender({ env: smsEnv, db: services.db }),
    limits,
    async checkPassword(password, options) {
      const result = await checkPassword(password, options);
      if (result.ok) return { ok: true };
      return { ok: false, code: result.code, message: result.message, ...(result.params ? { params: result.params } : {}) };
    },
    audit,
    clock: () => new Date(),
    publicUrl: services.settings.publicUrl,
    secretKey: services.masterKey.key,
    warn: (message, error) => log.warn({ err: error }, message),
  };
  return {
    deps,
    mailer,
    limits,
    async close() {
      await mailer.close();
      await limits.close();
    },
  };
}

export type AccountServices = ReturnType<typeof createAccountDeps>;
