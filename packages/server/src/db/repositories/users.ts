import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';
import { isUuid } from '../uuid.js';

export interface User {
  id: string;
  tenantId: string;
  username: string | null;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  passwordHash: string | null;
  /** User roles per API identifier (`api: null`: tenant-wide); in the `roles` claim of tokens for that API (docs/roles-and-groups.md). */
  roles: { api: string | null; roles: string[] }[];
  /** Disabled by an administrator: cannot sign in or recover the account. */
  disabled: boolean;
  /** Changes with the password or email; links and sessions made under another stamp are void. */
  securityStamp: string;
  passwordChangedAt: Date | null;
  lastSignInAt: Date | null;
  createdAt: Date;
  /** The kinds of factor the user has confirmed, when loaded with them ({@link findForSignIn}); else ask the factor repository. */
  confirmedFactorKinds?: readonly string[];
}

export type UserInput = Omit<User, 'id' | 'tenantId' | 'disabled' | 'securityStamp' | 'passwordChangedAt' | 'lastSignInAt' | 'createdAt' | 'confirmedFactorKinds'>
  & { disabled?: boolean };

type Identifier = 'username' | 'email';

/** The normalized login, or undefined when nothing can match: no identifier contains NUL, which PostgreSQL text cannot even compare. */
function loginValue(login: string, identifiers: readonly Identifier[]): string | undefined {
  const value = login.trim().toLowerCase();
  return value.includes('\0') || identifiers.length === 0 ? undefined : value;
}

export function newSecurityStamp(): string {
  return randomBytes(16).toString('base64url');
}

export function createUserRepository(db: Db) {
  const base = (tenantId: string) => db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
  const byLogin = (tenantId: string, value: string, identifiers: readonly Identifier[]) =>
    base(tenantId).where((eb) => eb.or(identifiers.map((column) => eb(sql`lower(${sql.ref(column)})`, '=', value))));
  return {
    async find(tenantId: string, id: string): Promise<User | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await base(tenantId).where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    /** Finds by username or email, case-insensitively; `identifiers` limits which of the two may match. */
    async findByLogin(tenantId: string, login: string, identifiers: readonly Identifier[] = ['username', 'email']): Promise<User | undefined> {
      const value = loginValue(login, identifiers);
      if (value === undefined) return undefined;
      const row = await byLogin(tenantId, value, identifiers).executeTakeFirst();
      return row && toUser(row);
    },
    /**
     * {@link findByLogin} for a sign-in: the same user, with the kinds of factor they confirmed,
     * which decide whether a second step follows (one statement where it took two).
     */
    async findForSignIn(tenantId: string, login: string, identifiers: readonly Identifier[]): Promise<User | undefined> {
      const value = loginValue(login, identifiers);
      if (value === undefined) return undefined;
      const row = await byLogin(tenantId, value, identifiers)
        .select(sql<string[]>`array(select distinct f.kind from user_factors f
          where f.tenant_id = users.tenant_id and f.user_id = users.id and f.confirmed)`.as('confirmed_factor_kinds'))
        .executeTakeFirst();
      return row && { ...toUser(row), confirmedFactorKinds: row.confirmed_factor_kinds };
    },
    /**
     * At most `limit` users with an id after `after`, by id; `email` and `username` match
     * case-insensitively (a page of the management API).
     */
    async page(tenantId: string, options: {
      after?: string | undefined; limit: number; email?: string | undefined; username?: string | undefined; disabled?: boolean | undefined;
    }): Promise<User[]> {
      if (options.after !== undefined && !isUuid(options.after)) return [];
      const rows = await base(tenantId)
        .$if(options.after !== undefined, (q) => q.where('id', '>', options.after!))
        .$if(options.email !== undefined, (q) => q.where(sql`lower(email)`, '=', options.email!.toLowerCase()))
        .$if(options.username !== undefined, (q) => q.where(sql`lower(username)`, '=', options.username!.toLowerCase()))
        .$if(options.disabled !== undefined, (q) => q.where('disabled', '=', options.disabled!))
        .orderBy('id').limit(options.limit).execute();
      return rows.map(toUser);
    },
    async list(tenantId: string): Promise<User[]> {
      return (await base(tenantId).orderBy('created_at').orderBy('id').execute()).map(toUser);
    },
    async insert(tenantId: string, user: UserInput): Promise<User> {
      const id = randomUUID();
      const securityStamp = newSecurityStamp();
      const now = new Date();
      await db.insertInto('users').values({
        id, tenant_id: tenantId, ...toRow(user), roles: JSON.stringify(user.roles), disabled: user.disabled ?? false,
        security_stamp: securityStamp, password_changed_at: user.passwordHash ? now : null, created_at: now, updated_at: now,
      }).execute();
      return {
        ...user, id, tenantId, disabled: user.disabled ?? false, securityStamp,
        passwordChangedAt: user.passwordHash ? now : null, lastSignInAt: null, createdAt: now,
      };
    },
    async update(id: string, user: Partial<UserInput>): Promise<void> {
      await db.updateTable('users').set({
        ...toRow(user),
        disabled: user.disabled,
        updated_at: new Date(),
      }).where('id', '=', id).execute();
    },
    /**
     * Sets a new password hash and a new security stamp: every emailed link and account session
     * made before is void from now on (ASVS V3.3.3, V2.5.x). `rehash` keeps the stamp: it is the
     * same password, upgraded to the current hashing policy.
     */
    async setPasswordHash(id: string, passwordHash: string | null, options: { rehash?: boolean } = {}): Promise<string | undefined> {
      const stamp = options.rehash ? undefined : newSecurityStamp();
      await db.updateTable('users').set({
        password_hash: passwordHash,
        ...(stamp ? { security_stamp: stamp, password_changed_at: new Date() } : {}),
        updated_at: new Date(),
      }).where('id', '=', id).execute();
      return stamp;
    },
    /** Sets a (new) email, verified or not, and rotates the security stamp. */
    async setEmail(id: string, email: string, verified: boolean): Promise<void> {
      await db.updateTable('users')
        .set({ email, email_verified: verified, security_stamp: newSecurityStamp(), updated_at: new Date() })
        .where('id', '=', id).execute();
    },
    async delete(id: string): Promise<void> {
      await db.deleteFrom('users').where('id', '=', id).execute();
    },
  };
}

type UserRow = {
  id: string; tenant_id: string; username: string | null; email: string | null; email_verified: boolean;
  name: string | null; password_hash: string | null; roles: { api: string | null; roles: string[] }[]; disabled: boolean;
  security_stamp: string; password_changed_at: Date | string | null; last_sign_in_at: Date | string | null; created_at: Date | string;
};

const toDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

function toUser(row: UserRow): User {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    username: row.username,
    email: row.email,
    emailVerified: row.email_verified,
    name: row.name,
    passwordHash: row.password_hash,
    roles: row.roles,
    disabled: row.disabled,
    securityStamp: row.security_stamp,
    passwordChangedAt: toDate(row.password_changed_at),
    lastSignInAt: toDate(row.last_sign_in_at),
    createdAt: new Date(row.created_at),
  };
}

function toRow(user: Partial<UserInput>) {
  return {
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
    name: user.name,
    password_hash: user.passwordHash,
    roles: user.roles === undefined ? undefined : JSON.stringify(user.roles),
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
