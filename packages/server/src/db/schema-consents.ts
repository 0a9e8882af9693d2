/** Kysely table types for tenant-wide (admin) consent (migration 0006). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConsentTables {}
