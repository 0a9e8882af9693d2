import { z } from 'zod';
import type { Argon2Policy } from '@tessera/passwords';
import { SmtpUrlSchema } from '../mail/mail-env.js';
import { Argon2SettingSchema, weakArgon2Reason } from './argon2-setting.js';

/**
 * Every server setting, from the environment (documented in docs/configuration.md).
 * Parsed once at start; an invalid value stops the server with the variable's name.
 */
export const SettingsSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('127.0.0.1'),
  TESSERA_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  TESSERA_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  TESSERA_CONFIG: z.string().min(1).optional(),
  TESSERA_MASTER_KEY: z.string().min(1).optional(),
  TESSERA_TRUST_PROXY: z.enum(['', '0', '1', 'true', 'false']).default('').transform((v) => v === '1' || v === 'true'),
  /** Seconds a rotated-in key is published before it signs (relying parties refresh their JWKS meanwhile). */
  TESSERA_KEY_ACTIVATION_DELAY: z.coerce.number().int().min(0).default(3600),
  /** Seconds between checks for changes made by other nodes or the CLI. */
  TESSERA_RELOAD_INTERVAL: z.coerce.number().min(0.1).default(5),
  /** Server log level; logs are JSON lines on stdout (pino). Secrets and tokens are never logged. */
  TESSERA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** Where mail is delivered (docs/mail.md); unset: the development outbox. */
  TESSERA_SMTP_URL: SmtpUrlSchema,
  /** Redis for brute-force counters shared by every node (docs/brute-force.md); unset: the database. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  NODE_ENV: z.string().optional(),
  /** The tenant whose management tokens manage every tenant (docs/management-api.md); created at first start. */
  TESSERA_ADMIN_TENANT: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a tenant id').default('admin'),
  /** The bootstrap credential's secret; unset: a random one is printed once, at first start. */
  TESSERA_BOOTSTRAP_SECRET: z.string().min(32, 'must be at least 32 characters').max(512).optional(),
  /** argon2id cost of new password hashes, `m=KiB,t=passes,p=lanes` (docs/configuration.md); default OWASP's m=19456,t=2,p=1. */
  TESSERA_ARGON2: Argon2SettingSchema,
});

export interface Settings {
  port: number;
  host: string;
  /** Public base URL without a trailing slash; the issuer of tenant `acme` is `${publicUrl}/acme`. */
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  configFile: string | undefined;
  masterKey: string | undefined;
  trustProxy: boolean;
  keyActivationDelaySeconds: number;
  reloadIntervalSeconds: number;
  logLevel: string;
  smtpUrl: string | undefined;
  redisUrl: string | undefined;
  production: boolean;
  adminTenant: string;
  bootstrapSecret: string | undefined;
  /** The argon2id cost of new password hashes; stored hashes below it are re-hashed at sign-in. */
  argon2: Argon2Policy;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Settings> = {}): Settings {
  const parsed = SettingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`settings.invalid: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const weakArgon2 = weakArgon2Reason(e.TESSERA_ARGON2);
  if (production && weakArgon2) throw new Error(`settings.invalid: ${weakArgon2} Refused with NODE_ENV=production.`);
  const port = overrides.port ?? e.PORT;
  return {
    port,
    host: e.HOST,
    publicUrl: (overrides.publicUrl ?? e.TESSERA_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    dataDir: e.TESSERA_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    configFile: e.TESSERA_CONFIG,
    masterKey: e.TESSERA_MASTER_KEY,
    trustProxy: e.TESSERA_TRUST_PROXY,
    keyActivationDelaySeconds: e.TESSERA_KEY_ACTIVATION_DELAY,
    reloadIntervalSeconds: e.TESSERA_RELOAD_INTERVAL,
    logLevel: e.TESSERA_LOG_LEVEL,
    smtpUrl: e.TESSERA_SMTP_URL,
    redisUrl: e.REDIS_URL,
    production,
    adminTenant: e.TESSERA_ADMIN_TENANT,
    bootstrapSecret: e.TESSERA_BOOTSTRAP_SECRET,
    argon2: e.TESSERA_ARGON2,
    ...overrides,
  };
}

/**
 * The path part of the public URL without a trailing slash ('' at the root). A reverse proxy
 * that serves Tessera under a path forwards requests without it; every URL Tessera writes
 * into a page or a redirect starts with it.
 */
export function publicBasePath(settings: Pick<Settings, 'publicUrl'>): string {
  return new URL(settings.publicUrl).pathname.replace(/\/+$/, '');
}

/** Warnings printed at start for insecure settings (STYLE.md §9). */
export function settingsWarnings(settings: Settings, masterKeySource: 'env' | 'file'): string[] {
  const warnings: string[] = [];
  const url = new URL(settings.publicUrl);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !local) {
    warnings.push(`TESSERA_PUBLIC_URL is http:// on a non-local host (${url.host}); browsers and clients will send credentials in clear text. Use https:// behind a TLS proxy.`);
  }
  if (masterKeySource === 'file' && (settings.production || !local)) {
    warnings.push('The master key is read from a key file in the data directory. In production set TESSERA_MASTER_KEY from a secret store so that a copy of the data directory alone does not reveal signing keys.');
  }
  const weakArgon2 = weakArgon2Reason(settings.argon2);
  if (weakArgon2) warnings.push(weakArgon2);
  return warnings;
}
