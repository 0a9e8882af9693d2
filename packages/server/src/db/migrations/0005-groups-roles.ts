import { type Kysely } from 'kysely';

/** Groups, group members and role definitions (tenant-wide or per API). */
export async function up(_db: Kysely<unknown>): Promise<void> {}

export async function down(_db: Kysely<unknown>): Promise<void> {}
