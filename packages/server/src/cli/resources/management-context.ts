import { userInfo } from 'node:os';
import { ManagementError } from '../../management/management-error.js';
import { managementServices } from '../../management/management-services.js';
import type { ManagementContext } from '../../management/resource.js';
import type { Services } from '../../server/services.js';
import { withServices } from '../cli-context.js';
import { CliError } from '../cli-error.js';

/** Which items a command works on: the tenant in the path and, for nested resources, the parent's key. */
export interface ManagementScope {
  tenantId: string;
  parentKey?: string | undefined;
}

/** The actor the audit trail records for CLI changes: `cli:{os user}`. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    // A container user without a passwd entry: fall back to the environment, then the uid.
    return `cli:${process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`}`;
  }
}

/**
 * Runs management operations as the HTTP API does (same operations, same context), with the
 * services of one CLI run (the embedded data directory is locked meanwhile); a ManagementError
 * becomes a CliError listing each field at fault on its own line.
 */
export async function withManagement<T>(scope: ManagementScope, run: (ctx: ManagementContext, services: Services) => Promise<T>): Promise<T> {
  return withServices(async (services) => {
    const ctx: ManagementContext = {
      db: services.db, tenantId: scope.tenantId, parentKey: scope.parentKey, actor: cliActor(),
      services: managementServices(services), now: new Date(),
    };
    try {
      return await run(ctx, services);
    } catch (error) {
      throw error instanceof ManagementError ? toCliError(error) : error;
    }
  });
}

/** `The body is invalid: …` then `  /redirectUris/0: must not contain a fragment`, one line per field. */
export function toCliError(error: ManagementError): CliError {
  const details = (error.errors ?? []).map((entry) => `  ${entry.path || '(root)'}: ${entry.message}`);
  return new CliError([error.message, ...details].join('\n'));
}
