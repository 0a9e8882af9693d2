import type { z } from 'zod';
import type { PasswordContext } from '@tessera/passwords';
import type { Db } from '../db/database.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { ManagementArea } from './management-api.js';

/** What every management operation receives, from the HTTP API and from the CLI alike. */
export interface ManagementContext {
  /** The transaction of a change (create/update/delete), or the database for reads. */
  db: Db;
  /** The tenant in the path (`/api/v1/tenants/{tenant}/…`); for the tenants resource, the tenant itself. */
  tenantId: string;
  /** The key of the parent item of a nested resource (`/applications/{clientId}/secrets` → the clientId). */
  parentKey?: string;
  /** Who acts: `client:{clientId}@{tenant}`, `user:{id}@{tenant}` or `cli:{os user}`; recorded in audit events. */
  actor: string;
  services: ManagementServices;
  now: Date;
}

export interface ManagementServices {
  passwords: PasswordContext;
  signingKeys: Pick<SigningKeys, 'ensure'>;
  /** Tenants that may use http:// redirect URIs are honoured only outside production. */
  production: boolean;
  /** The tenant whose tokens manage every tenant (TESSERA_ADMIN_TENANT). */
  adminTenant: string;
  /** TESSERA_PUBLIC_URL, for issuers in responses. */
  publicUrl: string;
}

/** One page of a list: at most `limit` items ordered by key, all after the key `after`. */
export interface Page {
  after?: string | undefined;
  limit: number;
}

/** What `create` returns: the item, plus values shown once and never again (a new secret). */
export interface Created<Item> {
  item: Item;
  shownOnce?: Record<string, string>;
}

/**
 * A management resource: its schemas and operations. The HTTP routes, the OpenAPI document,
 * the audit trail (before/after) and the CLI commands are all derived from this one definition,
 * so the API and the CLI cannot drift apart (register-resource.ts, cli/commands/resources.ts).
 */
export interface ResourceSpec<Item extends object = Record<string, unknown>, Create = unknown, Update = unknown> {
  /** URL segment and CLI command: `applications`. */
  name: string;
  /** Singular, for messages and audit event types: `application` → `application.created`. */
  noun: string;
  area: ManagementArea;
  description: string;
  /** The path parameter that names one item, e.g. `clientId`, and the item field it comes from. */
  key: { name: string; description: string };
  keyOf(item: Item): string;
  /** Nested resources: `/applications/{clientId}/secrets`. */
  parent?: { name: string; key: string; noun: string };
  /** False only for `tenants` itself, which lives at `/api/v1/tenants`. */
  tenantScoped?: boolean;
  /** Changes to this resource change what tenant providers cache (applications, APIs…). */
  affectsProvider?: boolean;
  schemas: {
    item: z.ZodType<Item>;
    create?: z.ZodType<Create>;
    update?: z.ZodType<Update>;
    /** Query filters of the list operation: an object of optional strings. */
    filter?: z.ZodObject;
  };
  list?(ctx: ManagementContext, query: Page & Record<string, unknown>): Promise<Item[]>;
  get(ctx: ManagementContext, key: string): Promise<Item | undefined>;
  create?(ctx: ManagementContext, input: Create): Promise<Created<Item>>;
  update?(ctx: ManagementContext, current: Item, patch: Update): Promise<Item>;
  delete?(ctx: ManagementContext, current: Item): Promise<void>;
}

// The registry holds specs of different item types; operations are called through the generic layer only.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyResourceSpec = ResourceSpec<any, any, any>;

export function defineResource<Item extends object, Create, Update>(spec: ResourceSpec<Item, Create, Update>): ResourceSpec<Item, Create, Update> {
  return spec;
}
