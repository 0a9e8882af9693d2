import type { Command } from 'commander';
import { createItem, deleteItem, getItem, listItems, updateItem } from '../../management/operations.js';
import type { AnyResourceSpec } from '../../management/resource.js';
import { MANAGEMENT_RESOURCES } from '../../management/resources/index.js';
import { printLine } from '../output.js';
import { listAll } from '../resources/list-all.js';
import { withManagement, type ManagementScope } from '../resources/management-context.js';
import { printItem, printJson, printList } from '../resources/print-resource.js';
import { normalizeIfMatch, readData } from '../resources/read-data.js';

/**
 * `tessera <resource> list|get|create|update|delete` for every management resource, derived from
 * the same ResourceSpec as the HTTP API and calling the same operations (validation, preconditions,
 * audit event, revision bump), not the HTTP API. Nested resources are `<parent>-<resource>`
 * (`application-secrets --client-id web`). Verbs a group already has (`tenants create`,
 * `users list`…) are left as they are.
 */
export function registerResourceCommands(program: Command): void {
  for (const spec of MANAGEMENT_RESOURCES) registerResource(program, spec);
}

type Verb = 'list' | 'get' | 'create' | 'update' | 'delete';
type Options = Record<string, string | boolean | undefined>;

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replaceAll(' ', '-').toLowerCase();
const camel = (name: string) => kebab(name).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function commandNameOf(spec: AnyResourceSpec): string {
  return spec.parent ? `${kebab(spec.parent.noun)}-${spec.name}` : spec.name;
}

function registerResource(program: Command, spec: AnyResourceSpec): void {
  const name = commandNameOf(spec);
  const group = program.commands.find((command) => command.name() === name)
    ?? program.command(name).description(`${spec.description.split('. ')[0]?.replace(/\.$/, '')} (management resource)`);
  const supported: Record<Verb, boolean> = {
    list: spec.list !== undefined, get: true, create: spec.create !== undefined && spec.schemas.create !== undefined,
    update: spec.update !== undefined && spec.schemas.update !== undefined, delete: spec.delete !== undefined,
  };
  for (const verb of Object.keys(VERBS) as Verb[]) {
    if (!supported[verb] || group.commands.some((command) => command.name() === verb)) continue;
    const command = scoped(group.command(verb), spec).option('--json', 'print machine-readable JSON');
    VERBS[verb](command, spec);
  }
}

/** `--tenant` for tenant-scoped resources and the parent's key (`--client-id`) for nested ones. */
function scoped(command: Command, spec: AnyResourceSpec): Command {
  if (spec.tenantScoped !== false) command.requiredOption('--tenant <id>', 'tenant id');
  if (spec.parent) command.requiredOption(`--${kebab(spec.parent.key)} <${kebab(spec.parent.key)}>`, `${spec.parent.key} of the ${spec.parent.noun}`);
  return command;
}

/** The tenants resource is its own scope: the tenant is the item's key (or the new item's id). */
function scopeOf(spec: AnyResourceSpec, options: Options, key?: string): ManagementScope {
  return {
    tenantId: spec.tenantScoped === false ? key ?? '' : String(options.tenant),
    parentKey: spec.parent ? String(options[camel(spec.parent.key)]) : undefined,
  };
}

function example(spec: AnyResourceSpec, verb: string, rest: string): string {
  const scope = [spec.tenantScoped === false ? '' : ' --tenant demo', spec.parent ? ` --${kebab(spec.parent.key)} PARENT` : ''].join('');
  return `\nExample:\n  $ tessera ${commandNameOf(spec)} ${verb}${scope}${rest}`;
}

const RESERVED = new Set(['tenant', 'limit', 'cursor', 'all', 'json', 'data', 'ifMatch']);

const VERBS: Record<Verb, (command: Command, spec: AnyResourceSpec) => void> = {
  list(command, spec) {
    const filters = Object.keys(spec.schemas.filter?.shape ?? {}).filter((field) => !RESERVED.has(field) && field !== spec.parent?.key);
    command.description(`list ${spec.name}, ordered by ${spec.key.name}`)
      .option('--limit <n>', 'items per page (1–200; default 50)')
      .option('--cursor <cursor>', 'the nextCursor of the previous page')
      .option('--all', 'every page');
    for (const field of filters) command.option(`--${kebab(field)} <value>`, `only ${spec.name} whose ${field} is this`);
    command.addHelpText('after', example(spec, 'list', ' --limit 20 --json')).action(async (options: Options) => {
      const query: Record<string, unknown> = { limit: options.limit, cursor: options.cursor };
      for (const field of filters) if (options[camel(field)] !== undefined) query[field] = options[camel(field)];
      await withManagement(scopeOf(spec, options), async (ctx) => {
        printList(spec, options.all === true ? await listAll(spec, ctx, query) : await listItems(spec, ctx, query), options.json === true);
      });
    });
  },
  get(command, spec) {
    command.description(`show one ${spec.noun} and its ETag`).argument(`<${kebab(spec.key.name)}>`, spec.key.description)
      .addHelpText('after', example(spec, 'get', ' KEY --json'))
      .action(async (key: string, options: Options) => {
        await withManagement(scopeOf(spec, options, key), async (ctx) => printItem(await getItem(spec, ctx, key), { json: options.json === true }));
      });
  },
  create(command, spec) {
    command.description(`create a ${spec.noun} from JSON (the API's request body)`)
      .requiredOption('--data <json>', 'the body: inline JSON, @file, or - to read standard input (use - or @file for secrets)')
      .addHelpText('after', example(spec, 'create', " --data @body.json"))
      .action(async (options: Options) => {
        const body = await readData(options.data as string | undefined);
        const newTenant = spec.tenantScoped === false && typeof (body as { id?: unknown })?.id === 'string' ? (body as { id: string }).id : undefined;
        await withManagement(scopeOf(spec, options, newTenant), async (ctx) => {
          const { created } = await createItem(spec, ctx, body);
          printItem(created!.item, { json: options.json === true, shownOnce: created!.shownOnce });
        });
      });
  },
  update(command, spec) {
    command.description(`change a ${spec.noun}: only the fields in --data change`).argument(`<${kebab(spec.key.name)}>`, spec.key.description)
      .requiredOption('--data <json>', 'the changes: inline JSON, @file, or - to read standard input')
      .option('--if-match <etag>', 'refuse (412) unless the item still has this ETag (from get)')
      .addHelpText('after', example(spec, 'update', ` KEY --data '{"name":"New name"}' --if-match '"ETAG"'`))
      .action(async (key: string, options: Options) => {
        const body = await readData(options.data as string | undefined);
        await withManagement(scopeOf(spec, options, key), async (ctx) => {
          const { after } = await updateItem(spec, ctx, key, body, normalizeIfMatch(options.ifMatch as string | undefined));
          printItem(after!, { json: options.json === true });
        });
      });
  },
  delete(command, spec) {
    command.description(`delete a ${spec.noun}`).argument(`<${kebab(spec.key.name)}>`, spec.key.description)
      .option('--if-match <etag>', 'refuse (412) unless the item still has this ETag (from get)')
      .addHelpText('after', example(spec, 'delete', ' KEY'))
      .action(async (key: string, options: Options) => {
        const scope = scopeOf(spec, options, key);
        await withManagement(scope, async (ctx) => deleteItem(spec, ctx, key, normalizeIfMatch(options.ifMatch as string | undefined)));
        if (options.json === true) printJson({ deleted: true, [spec.key.name]: key });
        else printLine(`Deleted ${spec.noun} ${key}${spec.parent ? ` of ${spec.parent.noun} ${scope.parentKey}` : ''}`);
      });
  },
};
