import type { User } from '../../db/repositories/users.js';
import type { ImportRecord } from './validate-rows.js';

export type ExistingUser = Pick<User, 'id' | 'username' | 'email' | 'emailVerified' | 'name' | 'passwordHash' | 'roles' | 'disabled'>;

export interface UserChanges {
  username?: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  passwordHash?: string;
  roles?: { api: string; roles: string[] }[];
  disabled?: boolean;
}

export type ConflictPolicy = 'update' | 'skip';

export type PlannedChange =
  | { kind: 'create' }
  | { kind: 'update'; user: ExistingUser; changes: UserChanges; passwordKept: boolean }
  | { kind: 'unchanged'; user: ExistingUser; passwordKept: boolean }
  | { kind: 'skip'; reason: string };

export interface PlanOptions {
  onConflict: ConflictPolicy;
  /** Replace a stored hash that differs from the file's (off by default: the user may have changed it since). */
  overwritePasswords: boolean;
}

/**
 * What importing one record does to the user it matches (by email or username, compared
 * case-insensitively like sign-in). A field the record does not give is left alone, so a
 * re-run of the same file changes nothing. A stored password hash is replaced only when the
 * user has none, or with `overwritePasswords`: a re-run after the user changed their password
 * must not roll it back.
 */
export function planChange(record: ImportRecord, match: { byEmail?: ExistingUser | undefined; byUsername?: ExistingUser | undefined }, options: PlanOptions): PlannedChange {
  const { byEmail, byUsername } = match;
  if (byEmail && byUsername && byEmail.id !== byUsername.id) {
    return { kind: 'skip', reason: `email "${record.email}" and username "${record.username}" belong to two different users` };
  }
  const user = byEmail ?? byUsername;
  if (!user) return { kind: 'create' };
  if (options.onConflict === 'skip') return { kind: 'skip', reason: 'already exists (--on-conflict skip)' };
  const changes: UserChanges = {};
  const differs = <K extends keyof UserChanges>(key: K, stored: unknown) => {
    const value = record[key];
    if (value !== undefined && JSON.stringify(value) !== JSON.stringify(stored)) changes[key] = value as UserChanges[K];
  };
  differs('username', user.username);
  differs('email', user.email);
  differs('emailVerified', user.emailVerified);
  // A verified flag belongs to the address verified: a new address is unverified unless the file says otherwise.
  if (changes.email !== undefined && record.emailVerified === undefined && user.emailVerified) changes.emailVerified = false;
  differs('name', user.name);
  differs('roles', user.roles);
  differs('disabled', user.disabled);
  let passwordKept = false;
  if (record.passwordHash !== undefined && record.passwordHash !== user.passwordHash) {
    if (user.passwordHash === null || options.overwritePasswords) changes.passwordHash = record.passwordHash;
    else passwordKept = true;
  }
  return Object.keys(changes).length ? { kind: 'update', user, changes, passwordKept } : { kind: 'unchanged', user, passwordKept };
}
