import { z } from 'zod';
import { createAccountSessionRepository } from '../../db/repositories/account-sessions.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { notFound } from '../management-error.js';
import { pageOf } from '../operations.js';
import { defineResource, type ManagementContext } from '../resource.js';

const SessionItemSchema = z.object({
  id: z.string(),
  authenticatedAt: z.string(),
  expiresAt: z.string(),
  methods: z.array(z.string()).describe('how the user signed in (amr: pwd, …)'),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});
type SessionItem = z.infer<typeof SessionItemSchema>;

async function sessionsOf(ctx: ManagementContext): Promise<SessionItem[]> {
  const user = await createUserRepository(ctx.db).find(ctx.tenantId, ctx.parentKey ?? '');
  if (!user) throw notFound('user', ctx.parentKey ?? '');
  const sessions = await createAccountSessionRepository(ctx.db).listActive(user.id, ctx.now);
  return sessions.map((s) => ({
    id: s.id, authenticatedAt: s.authenticatedAt.toISOString(), expiresAt: s.expiresAt.toISOString(), methods: s.amr,
    ip: s.ip, userAgent: s.userAgent,
  }));
}

/** A user's live sign-in sessions; deleting one signs the user out there. */
export const userSessionsResource = defineResource({
  name: 'sessions',
  noun: 'session',
  area: 'users',
  description: "A user's live account sessions (signed-in browsers and apps). Delete one to end it; `DELETE /users/{userId}` or disabling the user ends them all.",
  key: { name: 'sessionId', description: 'the session id' },
  keyOf: (item: SessionItem) => item.id,
  parent: { name: 'users', key: 'userId', noun: 'user' },
  schemas: { item: SessionItemSchema },
  async list(ctx, { after, limit }) {
    return pageOf(await sessionsOf(ctx), (s) => s.id, { after, limit });
  },
  async get(ctx, id) {
    return (await sessionsOf(ctx)).find((s) => s.id === id);
  },
  async delete(ctx, current) {
    await createAccountSessionRepository(ctx.db).revoke(current.id, ctx.now);
  },
});
