import type { User, UserRepository } from '../db/repositories/users.js';
import type { PasswordHasher } from '../security/password-hasher.js';

export type SignInFailure = 'unknown_identifier' | 'wrong_password' | 'no_password' | 'disabled';

export type SignInResult = { ok: true; user: User } | { ok: false; reason: SignInFailure; user?: User };

/**
 * Checks a username-or-email and password. Every failure costs one argon2 verification,
 * so response time does not tell whether the account exists (ASVS 2.2.x / V3.x); the
 * reason is for the audit log only — users see one generic message.
 */
export async function signInWithPassword(
  deps: { users: UserRepository; hasher: PasswordHasher },
  tenantId: string,
  login: string,
  password: string,
): Promise<SignInResult> {
  const user = await deps.users.findByLogin(tenantId, login);
  if (!user) {
    await deps.hasher.verifyNothing(password);
    return { ok: false, reason: 'unknown_identifier' };
  }
  if (!user.passwordHash) {
    await deps.hasher.verifyNothing(password);
    return { ok: false, reason: 'no_password', user };
  }
  const matches = await deps.hasher.verify(user.passwordHash, password);
  if (!matches) return { ok: false, reason: 'wrong_password', user };
  if (user.disabled) return { ok: false, reason: 'disabled', user };
  return { ok: true, user };
}
