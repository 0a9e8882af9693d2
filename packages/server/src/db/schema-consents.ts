import type { ColumnType, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Tenant-wide (admin) consent of one application to scopes of one API (migration 0006). */
export interface AdminConsentsTable {
  id: string;
  tenant_id: string;
  application_id: string;
  /** An API identifier of the tenant, or `openid` for the OpenID Connect scopes. */
  api: string;
  scopes: JSONColumnType<string[]>;
  /** Who granted it: a user id, `cli`, `config`, a management API caller. */
  granted_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Kysely table types for consents (migration 0006). */
export interface ConsentTables {
  admin_consents: AdminConsentsTable;
}
