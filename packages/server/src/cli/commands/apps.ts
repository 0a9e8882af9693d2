import { Command, InvalidArgumentError, Option } from 'commander';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { ApplicationSchema } from '../../config/declarative-config.js';
import { APPLICATION_TYPES, createApplicationRepository, isPublicClientType } from '../../db/repositories/applications.js';
import { createTenantRepository } from '../../db/repositories/tenants.js';
import { DEFAULT_SECRET_LIFETIME_DAYS } from '../../security/client-secret-expiry.js';
import { generateClientSecret, hashClientSecret, secretHint } from '../../security/client-secrets.js';
import { requireTenant, withServices } from '../cli-context.js';
import { CliError, UsageError } from '../cli-error.js';
import { formatDate, printLine, printNote, printTable } from '../output.js';

interface CreateOptions {
  tenant: string; clientId: string; type: string; name?: string; redirectUri: string[]; postLogoutRedirectUri: string[];
}

const collect = (value: string, previous: string[]) => [...previous, value];
const FLAG_OF: Record<string, string> = {
  clientId: '--client-id', type: '--type', name: '--name', redirectUris: '--redirect-uri', postLogoutRedirectUris: '--post-logout-redirect-uri',
};

export function registerAppsCommand(program: Command): void {
  const apps = program.command('apps').description('create and list applications (OAuth clients), add client secrets');

  apps.command('create')
    .description('register an application: web (server-side), spa (browser), native (desktop/mobile) or daemon (no user)')
    .requiredOption('--tenant <id>', 'tenant of the application')
    .requiredOption('--client-id <id>', 'client_id: 2–128 letters, digits, ".", "_" or "-"')
    .addOption(new Option('--type <type>', 'application type').choices(APPLICATION_TYPES).makeOptionMandatory())
    .option('--name <name>', 'display name shown on the consent and sign-in pages (default: the client id)')
    .option('--redirect-uri <uri>', 'allowed redirect URI, compared as an exact string (repeatable)', collect, [])
    .option('--post-logout-redirect-uri <uri>', 'allowed post-logout redirect URI (repeatable)', collect, [])
    .addHelpText('after', `
Redirect URIs must be https:// (http:// only on localhost, 127.0.0.1 or [::1]); native apps may
also use a reverse-DNS scheme such as com.example.app:/callback. Daemons have none. Web apps and
daemons then need a credential: \`tessera apps add-secret\`. API permissions and app roles are
granted in the configuration file (docs/configuration.md).

Examples:
  $ tessera apps create --tenant demo --client-id billing-web --type web --name "Billing" \\
      --redirect-uri https://billing.example.com/signin-oidc
  $ tessera apps create --tenant demo --client-id nightly-export --type daemon`)
    .action(async (options: CreateOptions) => {
      const app = validateApplication(options);
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        if (await services.applications.findByClientId(options.tenant, app.clientId)) {
          throw new CliError(`an application "${app.clientId}" already exists in tenant ${options.tenant}`);
        }
        await services.db.transaction().execute(async (trx) => {
          await createApplicationRepository(trx).insert(options.tenant, {
            clientId: app.clientId, name: app.name ?? app.clientId, type: app.type,
            redirectUris: app.redirectUris ?? [], postLogoutRedirectUris: app.postLogoutRedirectUris ?? [],
            permissions: [], appRoles: [], idTokenSigningAlg: 'ES256',
          });
          await createTenantRepository(trx).bumpRevision(options.tenant);
          await recordAuditEvent(trx, { tenantId: options.tenant, type: 'application.created', actor: 'cli', subject: app.clientId, clientId: app.clientId });
        });
        printLine(`Created ${app.type} application ${app.clientId} in tenant ${options.tenant}`);
        if (app.type === 'web' || app.type === 'daemon') {
          printNote(`Next: tessera apps add-secret --tenant ${options.tenant} ${app.clientId}`);
        }
      });
    });

  apps.command('list')
    .description('list the applications of a tenant')
    .requiredOption('--tenant <id>', 'tenant to list')
    .addHelpText('after', `
Example:
  $ tessera apps list --tenant demo`)
    .action(async (options: { tenant: string }) => {
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        const rows = (await services.applications.list(options.tenant)).map((app) => [
          app.clientId, app.type, app.name, app.redirectUris.join(' ') || '-',
        ]);
        printTable(['CLIENT ID', 'TYPE', 'NAME', 'REDIRECT URIS'], rows);
      });
    });

  apps.command('add-secret')
    .description('generate a new client secret; it is printed once and stored only as a hash')
    .requiredOption('--tenant <id>', 'tenant of the application')
    .argument('<client-id>', 'client_id of a web or daemon application')
    .option('--description <text>', 'what the secret is for, e.g. where it is deployed')
    .option('--expires-in-days <days>', 'days until the secret stops working (audit warning 30 days before)', parseDays, DEFAULT_SECRET_LIFETIME_DAYS)
    .addHelpText('after', `
The secret goes to stdout and everything else to stderr, so it can be captured directly.
Existing secrets keep working until they expire: rotate by adding a new one and deploying it.

Examples:
  $ tessera apps add-secret --tenant demo weather-daemon --description "production"
  $ SECRET=$(tessera apps add-secret --tenant demo weather-daemon --expires-in-days 90)`)
    .action(async (clientId: string, options: { tenant: string; description?: string; expiresInDays: number }) => {
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        const app = await services.applications.findByClientId(options.tenant, clientId);
        if (!app) throw new CliError(`no application "${clientId}" in tenant ${options.tenant}`);
        if (isPublicClientType(app.type)) {
          throw new CliError(`${clientId} is a ${app.type} application: a public client, it cannot keep a secret`);
        }
        const secret = generateClientSecret();
        const expiresAt = new Date(Date.now() + options.expiresInDays * 86_400_000);
        await services.db.transaction().execute(async (trx) => {
          const id = await createApplicationRepository(trx).insertSecret(app.id, {
            hash: hashClientSecret(secret), hint: secretHint(secret), description: options.description ?? null, expiresAt,
          });
          await createTenantRepository(trx).bumpRevision(options.tenant);
          await recordAuditEvent(trx, {
            tenantId: options.tenant, type: 'application.secret_added', actor: 'cli', subject: id, clientId,
            data: { hint: secretHint(secret), expiresAt: expiresAt.toISOString() },
          });
        });
        printNote(`New client secret for ${clientId} (tenant ${options.tenant}), valid until ${formatDate(expiresAt)}:`);
        printLine(secret);
        printNote('Copy it now: it is stored only as a hash and will not be shown again.');
      });
    });

  apps.command('secrets')
    .description('list the secrets of an application: id, last characters, description, expiry (never the secret)')
    .requiredOption('--tenant <id>', 'tenant of the application')
    .argument('<client-id>', 'client_id of the application')
    .addHelpText('after', '\nExample:\n  $ tessera apps secrets --tenant demo weather-daemon')
    .action(async (clientId: string, options: { tenant: string }) => {
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        const app = await services.applications.findByClientId(options.tenant, clientId);
        if (!app) throw new CliError(`no application "${clientId}" in tenant ${options.tenant}`);
        printTable(['ID', 'ENDS WITH', 'DESCRIPTION', 'EXPIRES'], app.secrets.map((secret) => [
          secret.id, secret.hint, secret.description ?? '-', secret.expiresAt ? formatDate(new Date(secret.expiresAt)) : 'never',
        ]));
      });
    });

  apps.command('remove-secret')
    .description('delete one secret of an application: it stops working at once (the last step of a rotation)')
    .requiredOption('--tenant <id>', 'tenant of the application')
    .argument('<client-id>', 'client_id of the application')
    .argument('<secret-id>', 'the ID column of `tessera apps secrets`')
    .addHelpText('after', `
Rotate without downtime: add-secret, deploy the new secret, then remove-secret the old one.

Example:
  $ tessera apps remove-secret --tenant demo weather-daemon 3f1c…`)
    .action(async (clientId: string, secretId: string, options: { tenant: string }) => {
      await withServices(async (services) => {
        await requireTenant(services.db, options.tenant);
        const app = await services.applications.findByClientId(options.tenant, clientId);
        if (!app) throw new CliError(`no application "${clientId}" in tenant ${options.tenant}`);
        const secret = app.secrets.find((s) => s.id === secretId);
        if (!secret) throw new CliError(`application ${clientId} has no secret ${secretId} (see tessera apps secrets)`);
        await services.db.transaction().execute(async (trx) => {
          await createApplicationRepository(trx).deleteSecret(app.id, secretId);
          await createTenantRepository(trx).bumpRevision(options.tenant);
          await recordAuditEvent(trx, {
            tenantId: options.tenant, type: 'application.secret_removed', actor: 'cli', subject: secretId, clientId,
            data: { hint: secret.hint },
          });
        });
        printLine(`Removed secret ${secret.hint} of ${clientId} (tenant ${options.tenant})`);
      });
    });
}

function validateApplication(options: CreateOptions) {
  const parsed = ApplicationSchema.safeParse({
    clientId: options.clientId, name: options.name, type: options.type,
    redirectUris: options.redirectUri, postLogoutRedirectUris: options.postLogoutRedirectUri,
  });
  if (parsed.success) return parsed.data;
  throw new UsageError(parsed.error.issues.map((issue) => {
    const [field, index] = issue.path;
    const flag = FLAG_OF[String(field)] ?? String(field ?? 'application');
    const given = typeof index === 'number' ? ` ${options[field === 'redirectUris' ? 'redirectUri' : 'postLogoutRedirectUri'][index]}` : '';
    return `${flag}${given}: ${issue.message}`;
  }).join('; '));
}

function parseDays(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 3650) {
    throw new InvalidArgumentError('must be a whole number of days from 1 to 3650');
  }
  return Number(value);
}
