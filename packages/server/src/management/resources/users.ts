import { z } from 'zod';
import { UserSchema } from '../../config/declarative-config.js';
import { createUserRepository, type User, type UserInput } from '../../db/repositories/users.js';
import { endAllSessions } from '../../identity/sessions.js';
import { conflict, notFound } from '../management-error.js';
import { defineResource, type ManagementContext } from '../resource.js';
import { assertRoleGrantsValid } from './role-rules.js';

const RoleGrantItem = z.object({ api: z.string().nullable(), roles: z.array(z.string()) });
const UserItemSchema = z.object({
  id: z.string().describe('the user id, also the `oid` claim'),
  username: z.string().nullable(),
  email: z.string().nullable(),
  emailVerified: z.boolean(),
  name: z.string().nullable(),
  hasPassword: z.boolean(),
  roles: z.array(RoleGrantItem).describe('direct roles per API (api null: tenant-wide); groups add more'),
  disabled: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});
type UserItem = z.infer<typeof UserItemSchema>;

const UserUpdateSchema = z.strictObject({ ...UserSchema.shape, disabled: z.boolean() }).partial();

const toItem = (user: User): UserItem => ({
  id: user.id, username: user.username, email: user.email, emailVerified: user.emailVerified, name: user.name,
  hasPassword: user.passwordHash !== null, roles: user.roles, disabled: user.disabled,
  createdAt: new Date(user.createdAt).toISOString(), lastSignInAt: user.lastSignInAt ? new Date(user.lastSignInAt).toISOString() : null,
});

/** Usernames and emails share one sign-in namespace (case-insensitive): 409 naming the field that is taken. */
async function assertLoginsFree(ctx: ManagementContext, user: { username?: string | null | undefined; email?: string | null | undefined }, self?: string) {
  const users = createUserRepository(ctx.db);
  for (const field of ['username', 'email'] as const) {
    const login = user[field];
    if (!login) continue;
    const holder = await users.findByLogin(ctx.tenantId, login);
    if (holder && holder.id !== self) throw conflict('user', field, login);
  }
}

async function passwordHashOf(ctx: ManagementContext, input: { password?: string | undefined; passwordHash?: string | undefined }) {
  if (input.passwordHash !== undefined) return input.passwordHash;
  return input.password === undefined ? undefined : ctx.services.passwords.hash(input.password);
}

/** Users of the tenant's directory. Passwords are write-only; hashes are never returned. */
export const usersResource = defineResource({
  name: 'users',
  noun: 'user',
  area: 'users',
  description: 'Users of the tenant. `password` (hashed with argon2id) or `passwordHash` (any format docs/passwords.md lists) are write-only. Disabling a user ends their sessions.',
  key: { name: 'userId', description: 'the user id' },
  keyOf: (item: UserItem) => item.id,
  schemas: {
    item: UserItemSchema, create: UserSchema, update: UserUpdateSchema,
    filter: z.object({
      email: z.string().max(254).optional(), username: z.string().max(128).optional(),
      disabled: z.enum(['true', 'false']).optional(),
    }),
  },
  async list(ctx, { after, limit, email, username, disabled }) {
    const users = await createUserRepository(ctx.db).page(ctx.tenantId, {
      after, limit, email: email as string | undefined, username: username as string | undefined,
      disabled: disabled === undefined ? undefined : disabled === 'true',
    });
    return users.map(toItem);
  },
  async get(ctx, id) {
    const user = await createUserRepository(ctx.db).find(ctx.tenantId, id);
    return user && toItem(user);
  },
  async create(ctx, input) {
    await assertLoginsFree(ctx, input);
    await assertRoleGrantsValid(ctx, input.roles);
    const user = await createUserRepository(ctx.db).insert(ctx.tenantId, {
      username: input.username ?? null, email: input.email ?? null, emailVerified: input.emailVerified ?? false,
      name: input.name ?? null, passwordHash: (await passwordHashOf(ctx, input)) ?? null, roles: input.roles ?? [],
    });
    return { item: toItem(user) };
  },
  async update(ctx, current, patch) {
    await assertLoginsFree(ctx, patch, current.id);
    await assertRoleGrantsValid(ctx, patch.roles);
    const users = createUserRepository(ctx.db);
    const changes: Partial<UserInput> = {
      username: patch.username, email: patch.email, emailVerified: patch.emailVerified, name: patch.name, roles: patch.roles, disabled: patch.disabled,
    };
    await users.update(current.id, changes);
    const hash = await passwordHashOf(ctx, patch);
    // A new password or email voids emailed links and sessions made before (ASVS V3.3.3).
    if (hash !== undefined) await users.setPasswordHash(current.id, hash);
    else if (patch.email !== undefined && patch.email !== current.email) await users.setEmail(current.id, patch.email, patch.emailVerified ?? false);
    if (patch.disabled === true) await endAllSessions(ctx.db, ctx.tenantId, current.id, ctx.now);
    const user = await users.find(ctx.tenantId, current.id);
    if (!user) throw notFound('user', current.id);
    return toItem(user);
  },
  async delete(ctx, current) {
    await endAllSessions(ctx.db, ctx.tenantId, current.id, ctx.now);
    await createUserRepository(ctx.db).delete(current.id);
  },
});
