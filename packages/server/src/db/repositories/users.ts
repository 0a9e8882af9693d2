import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../database.js';

export interface User {
  id: string;
  tenantId: string;
  username: string | null;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  passwordHash: string | null;
  /** User roles per API identifier; they appear in the `roles` claim of tokens for that API. */
  roles: { api: string; roles: string[] }[];
  disabled: boolean;
}

export type UserInput = Omit<User, 'id' | 'tenantId' | 'disabled'>;

export function createUserRepository(db: Db) {
  const base = (tenantId: string) => db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
  return {
    async find(tenantId: string, id: string): Promise<User | undefined> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
      const row = await base(tenantId).where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },
    /** Finds by username or email, case-insensitively. */
    async findByLogin(tenantId: string, login: string): Promise<User | undefined> {
      const value = login.trim().toLowerCase();
      // No identifier contains NUL, which PostgreSQL text cannot even compare.
      if (value.includes('\0')) return undefined;
      const row = await base(tenantId)
        .where((eb) => eb.or([
          eb(sql`lower(username)`, '=', value),
          eb(sql`lower(email)`, '=', value),
        ]))
        .executeTakeFirst();
      return row && toUser(row);
    },
    async list(tenantId: string): Promise<User[]> {
      return (await base(tenantId).orderBy('created_at').execute()).map(toUser);
    },
    async insert(tenantId: string, user: UserInput): Promise<User> {
      const id = randomUUID();
      await db.insertInto('users').values({ id, tenant_id: tenantId, ...toRow(user), roles: JSON.stringify(user.roles) }).execute();
      return { id, tenantId, disabled: false, ...user };
    },
    async update(id: string, user: Partial<UserInput>): Promise<void> {
      await db.updateTable('users').set({
        username: user.username,
        email: user.email,
        email_verified: user.emailVerified,
        name: user.name,
        password_hash: user.passwordHash,
        roles: user.roles && JSON.stringify(user.roles),
        updated_at: new Date(),
      }).where('id', '=', id).execute();
    },
  };
}

type UserRow = {
  id: string; tenant_id: string; username: string | null; email: string | null; email_verified: boolean;
  name: string | null; password_hash: string | null; roles: { api: string; roles: string[] }[]; disabled: boolean;
};

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
  };
}

function toRow(user: UserInput) {
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
