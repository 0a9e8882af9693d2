import type { ColumnType, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigInt = ColumnType<string | number, number | undefined, number>;

/** An enrolled sign-in factor other than the password (migration 0009). */
export interface UserFactorsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  /** `totp`, `passkey`, `sms`. */
  kind: string;
  name: string;
  /** Sealed TOTP secret (never the secret itself). */
  secret: string | null;
  credential_id: string | null;
  public_key: string | null;
  counter: BigInt;
  last_step: ColumnType<string | number | null, number | null | undefined, number | null>;
  data: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  confirmed: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface RecoveryCodesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  code_hash: string;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface RememberedDevicesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  token_hash: string;
  user_agent: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** Kysely table types for sign-in factors (migration 0009). */
export interface FactorTables {
  user_factors: UserFactorsTable;
  recovery_codes: RecoveryCodesTable;
  remembered_devices: RememberedDevicesTable;
}
