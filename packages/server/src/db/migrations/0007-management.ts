import { type Kysely } from 'kysely';

/** Management API: tenant settings and the bootstrap credential. */
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
