import type { Command } from 'commander';
import { isValidTenantId, RESERVED_TENANT_IDS } from '../../db/repositories/tenants.js';
import { ManagementError } from '../../management/management-error.js';
import { createItem } from '../../management/operations.js';
import { tenantsResource } from '../../management/resources/tenants.js';
import { CliError, UsageError } from '../cli-error.js';
import { printLine, printTable } from '../output.js';
import { listAll } from '../resources/list-all.js';
import { withManagement } from '../resources/management-context.js';
import { printItem, printJson } from '../resources/print-resource.js';

export function registerTenantsCommand(program: Command): void {
  const tenants = program.command('tenants').description('list and create tenants (each is its own issuer)');

  tenants.command('list')
    .description('list tenants with their issuer URLs')
    .addHelpText('after', `
Example:
  $ tessera tenants list`)
    .option('--json', 'print {items, nextCursor} as JSON')
    .action(async (options: { json?: boolean }) => {
      // The management API's list (every page), so the CLI and the API show the same tenants.
      await withManagement({ tenantId: '' }, async (ctx, services) => {
        const page = await listAll(tenantsResource, ctx, {});
        if (options.json) return printJson(page);
        const revisions = await services.tenants.revisions();
        const rows = (page.items as { id: string; name: string; issuer: string }[]).map((tenant) => [
          tenant.id, tenant.name, tenant.issuer, revisions.get(tenant.id),
        ]);
        printTable(['ID', 'NAME', 'ISSUER', 'REVISION'], rows);
      });
    });

  tenants.command('create')
    .description('create a tenant and its signing keys')
    .argument('<id>', 'tenant id: 2–63 lowercase letters, digits or "-"; it becomes the issuer path')
    .option('--name <name>', 'display name (default: the id)')
    .option('--json', 'print the tenant (and its etag) as JSON')
    .addHelpText('after', `
Example:
  $ tessera tenants create acme --name "Acme Corp"`)
    .action(async (id: string, options: { name?: string; json?: boolean }) => {
      if (RESERVED_TENANT_IDS.has(id)) throw new UsageError(`tenant id "${id}" is reserved for Tessera's own routes`);
      if (!isValidTenantId(id)) throw new UsageError(`tenant id "${id}" must be 2–63 lowercase letters, digits or "-", starting with a letter or digit`);
      // The management API's create (validation, audit event), as `tessera tenants create --data` would be.
      await withManagement({ tenantId: id }, async (ctx, services) => {
        const { created } = await createItem(tenantsResource, ctx, { id, ...(options.name === undefined ? {} : { name: options.name }) })
          .catch((error: unknown) => {
            throw error instanceof ManagementError && error.status === 409 ? new CliError(`tenant "${id}" already exists`) : error;
          });
        await services.signingKeys.ensure(id);
        if (options.json) printItem(created!.item, { json: true });
        else printLine(`Created tenant ${id}; its issuer is ${services.settings.publicUrl}/${id}`);
      });
    });
}
