import type { Command } from 'commander';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { UserSchema } from '../../config/declarative-config.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { ManagementError } from '../../management/management-error.js';
import { createItem } from '../../management/operations.js';
import { usersResource } from '../../management/resources/users.js';
import { requireTenant, withServices } from '../cli-context.js';
import { CliError, UsageError } from '../cli-error.js';
import { printLine, printNote, printTable } from '../output.js';
import { listAll } from '../resources/list-all.js';
import { withManagement } from '../resources/management-context.js';
import { printItem, printJson } from '../resources/print-resource.js';
import { readPassword } from '../read-password.js';
import { registerUserImportCommands } from './users-import.js';
import { registerUserStateCommands } from './users-state.js';
import { createAccountSessionRepository } from '../../db/repositories/account-sessions.js';

interface CreateOptions { tenant: string; username?: string; email?: string; name?: string; emailVerified?: boolean; passwordStdin?: boolean; json?: boolean }
/** The fields of the management API's user item that `users list` shows. */
interface ListedUser { id: string; username: string | null; email: string | null; emailVerified: boolean; name: string | null; hasPassword: boolean; disabled: boolean }

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('create, list, import and export users; set passwords; disable, enable, unblock');
  registerUserImportCommands(users);
  registerUserStateCommands(users);

  users.command('create')
    .description('create a user; the password is prompted for (no echo) or read from stdin, never taken from argv')
    .requiredOption('--tenant <id>', 'tenant of the user')
    .option('--username <username>', 'sign-in name')
    .option('--email <email>', 'email address (also a sign-in name)')
    .option('--name <name>', 'display name')
    .option('--email-verified', 'mark the email address as verified')
    .option('--password-stdin', 'read the password from standard input')
    .option('--json', 'print the user (and its etag) as JSON')
    .addHelpText('after', `
Give --username, --email or both. Without --password-stdin and without a terminal, the user is
created without a password (set one later with \`users set-password\`).

Examples:
  $ tessera users create --tenant demo --username bob --email bob@example.com
  $ printf '%s' "$BOB_PASSWORD" | tessera users create --tenant demo --email bob@example.com --password-stdin`)
    .action(async (options: CreateOptions) => {
      if (!options.username && !options.email) throw new UsageError('give --username or --email (or both)');
      const input = validateUser({ username: options.username, email: options.email, name: options.name });
      const password = await readPassword({ fromStdin: options.passwordStdin === true, confirm: true, required: false });
      if (password !== undefined) validateUser({ username: 'x', password });
      // The management API's create (validation, unique sign-in names, hashing, audit event): one code path.
      await withManagement({ tenantId: options.tenant }, async (ctx, services) => {
        await requireTenant(services.db, options.tenant);
        const body = { ...input, ...(options.emailVerified ? { emailVerified: true } : {}), ...(password === undefined ? {} : { password }) };
        const { created } = await createItem(usersResource, ctx, body).catch((error: unknown) => {
          if (!(error instanceof ManagementError) || error.status !== 409) throw error;
          const login = error.errors?.[0]?.path === '/email' ? input.email : input.username;
          throw new CliError(`a user with the sign-in name "${login}" already exists in tenant ${options.tenant}`);
        });
        if (options.json) printItem(created!.item, { json: true });
        else printLine(`Created user ${input.username ?? input.email} (${(created!.item as ListedUser).id}) in tenant ${options.tenant}`);
        if (password === undefined) printNote('No password set: use `tessera users set-password` before they sign in with one.');
      });
    });

  users.command('list')
    .description('list the users of a tenant')
    .requiredOption('--tenant <id>', 'tenant to list')
    .addHelpText('after', `
Example:
  $ tessera users list --tenant demo`)
    .option('--json', 'print {items, nextCursor} as JSON')
    .action(async (options: { tenant: string; json?: boolean }) => {
      // The management API's list: every page, ordered by id.
      await withManagement({ tenantId: options.tenant }, async (ctx, services) => {
        await requireTenant(services.db, options.tenant);
        const page = await listAll(usersResource, ctx, {});
        if (options.json) return printJson(page);
        const rows = (page.items as ListedUser[]).map((user) => [
          user.id, user.username, user.email, user.emailVerified ? 'yes' : 'no', user.name,
          user.hasPassword ? 'yes' : 'no', user.disabled ? 'yes' : 'no',
        ]);
        printTable(['ID', 'USERNAME', 'EMAIL', 'VERIFIED', 'NAME', 'PASSWORD', 'DISABLED'], rows);
      });
    });

  users.command('set-password')
    .description('set or replace the password of a user; prompted for (no echo) or read from stdin')
    .requiredOption('--tenant <id>', 'tenant of the user')
    .argument('<login>', 'username or email of the user')
    .option('--password-stdin', 'read the password from standard input')
    .addHelpText('after', `
Examples:
  $ tessera users set-password --tenant demo alice
  $ printf '%s' "$NEW_PASSWORD" | tessera users set-password --tenant demo alice@example.com --password-stdin`)
    .action(async (login: string, options: { tenant: string; passwordStdin?: boolean }) => {
      const password = await readPassword({ fromStdin: options.passwordStdin === true, confirm: true, required: true }) ?? '';
      validateUser({ username: 'x', password });
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        const user = await services.users.findByLogin(options.tenant, login);
        if (!user) throw new CliError(`no user "${login}" in tenant ${options.tenant}`);
        const passwordHash = await services.passwords.hash(password);
        await services.db.transaction().execute(async (trx) => {
          // A new security stamp: the user's sessions and emailed links made before are void.
          await createUserRepository(trx).setPasswordHash(user.id, passwordHash);
          await createAccountSessionRepository(trx).revokeAllForUser(user.id, new Date());
          await recordAuditEvent(trx, { tenantId: options.tenant, type: 'user.password_set', actor: 'cli', subject: user.id });
        });
        printLine(`Password set for ${login} in tenant ${options.tenant}`);
      });
    });
}

/** The same rules as the configuration file (declarative-config.ts), reported against the flags. */
function validateUser(input: { username?: string | undefined; email?: string | undefined; name?: string | undefined; password?: string }) {
  const parsed = UserSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length ? `--${String(issue.path[0])}` : 'user'}: ${issue.message}`);
  throw new UsageError(problems.join('; ').replace('--emailVerified', '--email-verified'));
}
