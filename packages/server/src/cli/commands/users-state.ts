import type { Command } from 'commander';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createAccountSessionRepository } from '../../db/repositories/account-sessions.js';
import { createUserRepository } from '../../db/repositories/users.js';
import { accountKeyFor } from '../../identity/account-links.js';
import { endAllSessions } from '../../identity/sessions.js';
import { createAbuseProtection } from '../../security/rate-limits/index.js';
import { requireTenant, withServices } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { printLine, printTable } from '../output.js';

type Services = Parameters<Parameters<typeof withServices>[0]>[0];

async function findUser(services: Services, tenant: string, login: string) {
  await requireTenant(services.db, tenant);
  const user = await services.users.findByLogin(tenant, login);
  if (!user) throw new CliError(`no user "${login}" in tenant ${tenant}`);
  return user;
}

/** Account states an administrator sets: disabled / enabled, and lifting a brute-force block. */
export function registerUserStateCommands(users: Command): void {
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    users.command(name)
      .description(disabled
        ? 'disable a user: they cannot sign in or reset their password, and their sessions end'
        : 'enable a disabled user again')
      .requiredOption('--tenant <id>', 'tenant of the user')
      .argument('<login>', 'username or email of the user')
      .addHelpText('after', `\nExample:\n  $ tessera users ${name} --tenant demo alice`)
      .action(async (login: string, options: { tenant: string }) => {
        await withServices(async (services) => {
          const user = await findUser(services, options.tenant, login);
          await services.db.transaction().execute(async (trx) => {
            await createUserRepository(trx).update(user.id, { disabled });
            if (disabled) await createAccountSessionRepository(trx).revokeAllForUser(user.id, new Date());
            await recordAuditEvent(trx, { tenantId: options.tenant, type: disabled ? 'user.disabled' : 'user.enabled', actor: 'cli', subject: user.id });
          });
          printLine(`${disabled ? 'Disabled' : 'Enabled'} ${login} in tenant ${options.tenant}`);
        });
      });
  }

  users.command('unblock')
    .description('lift brute-force sign-in blocks of a user, for every source address')
    .requiredOption('--tenant <id>', 'tenant of the user')
    .argument('<login>', 'username or email of the user')
    .addHelpText('after', '\nExample:\n  $ tessera users unblock --tenant demo alice')
    .action(async (login: string, options: { tenant: string }) => {
      await withServices(async (services) => {
        const user = await findUser(services, options.tenant, login);
        await createAbuseProtection({ db: services.db, store: services.limiterStore }).unblockAccount(options.tenant, accountKeyFor(user, ''));
        await recordAuditEvent(services.db, { tenantId: options.tenant, type: 'signin.unblocked', actor: 'cli', subject: user.id, data: { via: 'admin' } });
        printLine(`Unblocked sign-in for ${login} in tenant ${options.tenant}`);
      });
    });

  users.command('sessions')
    .description("list a user's signed-in account sessions (when, from where, how)")
    .requiredOption('--tenant <id>', 'tenant of the user')
    .argument('<login>', 'username or email of the user')
    .addHelpText('after', '\nExample:\n  $ tessera users sessions --tenant demo alice')
    .action(async (login: string, options: { tenant: string }) => {
      await withServices(async (services) => {
        const user = await findUser(services, options.tenant, login);
        const sessions = await createAccountSessionRepository(services.db).listActive(user.id, new Date());
        printTable(['ID', 'SIGNED IN', 'EXPIRES', 'METHODS', 'ADDRESS', 'USER AGENT'], sessions.map((session) => [
          session.id, session.authenticatedAt.toISOString(), session.expiresAt.toISOString(), session.amr.join(' '),
          session.ip ?? '-', (session.userAgent ?? '-').slice(0, 60),
        ]));
      });
    });

  users.command('sign-out')
    .description('end every session of a user: account sessions and the sign-in sessions of applications')
    .requiredOption('--tenant <id>', 'tenant of the user')
    .argument('<login>', 'username or email of the user')
    .addHelpText('after', `
Refresh tokens and access tokens already issued are not revoked by this (see docs/logout-and-token-status.md).

Example:
  $ tessera users sign-out --tenant demo alice`)
    .action(async (login: string, options: { tenant: string }) => {
      await withServices(async (services) => {
        const user = await findUser(services, options.tenant, login);
        const ended = await services.db.transaction().execute(async (trx) => {
          const count = await endAllSessions(trx, options.tenant, user.id, new Date());
          await recordAuditEvent(trx, { tenantId: options.tenant, type: 'session.revoked', actor: 'cli', subject: user.id, data: { all: true } });
          return count;
        });
        printLine(`Signed ${login} out everywhere in tenant ${options.tenant} (${ended} application sign-in session${ended === 1 ? '' : 's'} ended)`);
      });
    });
}
