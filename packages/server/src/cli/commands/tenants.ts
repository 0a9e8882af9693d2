import type { Command } from 'commander';
import { recordAuditEvent } from '../../audit/audit-log.js';
import { createTenantRepository, isValidTenantId, RESERVED_TENANT_IDS } from '../../db/repositories/tenants.js';
import { withServices } from '../cli-context.js';
import { CliError, UsageError } from '../cli-error.js';
import { printLine, printTable } from '../output.js';

export function registerTenantsCommand(program: Command): void {
  const tenants = program.command('tenants').description('list and create tenants (each is its own issuer)');

  tenants.command('list')
    .description('list tenants with their issuer URLs')
    .addHelpText('after', `
Example:
  $ tessera tenants list`)
    .action(async () => {
      await withServices(async (services) => {
        const rows = (await services.tenants.list()).map((tenant) => [
          tenant.id, tenant.name, `${services.settings.publicUrl}/${tenant.id}`, tenant.revision,
        ]);
        printTable(['ID', 'NAME', 'ISSUER', 'REVISION'], rows);
      });
    });

  tenants.command('create')
    .description('create a tenant and its signing keys')
    .argument('<id>', 'tenant id: 2–63 lowercase letters, digits or "-"; it becomes the issuer path')
    .option('--name <name>', 'display name (default: the id)')
    .addHelpText('after', `
Example:
  $ tessera tenants create acme --name "Acme Corp"`)
    .action(async (id: string, options: { name?: string }) => {
      if (RESERVED_TENANT_IDS.has(id)) throw new UsageError(`tenant id "${id}" is reserved for Tessera's own routes`);
      if (!isValidTenantId(id)) throw new UsageError(`tenant id "${id}" must be 2–63 lowercase letters, digits or "-", starting with a letter or digit`);
      await withServices(async (services) => {
        if (await services.tenants.find(id)) throw new CliError(`tenant "${id}" already exists`);
        await services.db.transaction().execute(async (trx) => {
          await createTenantRepository(trx).insert({ id, name: options.name ?? id });
          await recordAuditEvent(trx, { tenantId: id, type: 'tenant.created', actor: 'cli', subject: id });
        });
        await services.signingKeys.ensure(id);
        printLine(`Created tenant ${id}; its issuer is ${services.settings.publicUrl}/${id}`);
      });
    });
}
