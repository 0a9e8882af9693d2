import { type Kysely } from 'kysely';

/** Tenant-wide (admin) consent per application. */
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
