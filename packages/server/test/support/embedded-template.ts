import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The `pg` directory of an embedded database made and migrated once per run (embedded project only). */
    embeddedTemplate?: string;
  }
}

/**
 * vitest globalSetup of the `embedded` project: makes one migrated embedded database for the
 * whole run. Creating an embedded database runs PostgreSQL's initdb inside PGlite, about 5 s of
 * CPU; every test that needs a fresh database gets a copy of this one instead (a few tens of
 * milliseconds), already at the latest migration, as a server finds its data after a restart.
 * Tests of the first start itself (src/cli/start.test.ts, src/cli/cli.test.ts) run `tessera` on
 * an empty directory of their own and still run initdb and every migration.
 */
export default async function makeEmbeddedTemplate(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(path.join(tmpdir(), 'tessera-template-'));
  const database = await openDatabase({ dataDir: root });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  project.provide('embeddedTemplate', path.join(root, 'pg'));
  return () => rm(root, { recursive: true, force: true });
}

/**
 * Gives a fresh embedded data directory its database: a copy of the run's migrated template
 * when there is one (vitest's embedded project), else nothing (the server creates it).
 */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  const template = inject('embeddedTemplate');
  if (template) await cp(template, path.join(dataDir, 'pg'), { recursive: true });
}
