import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

/**
 * One suite, two databases (STYLE.md §10). Every test file runs in project `embedded`
 * (PGlite in a temp data directory) and, when TESSERA_TEST_DATABASE_URL names a PostgreSQL
 * superuser on a throwaway cluster, again in project `postgres` (a fresh database per test
 * server). The harness reads the project's database from TESSERA_TEST_DB. See docs/testing.md.
 */

const postgresUrl = process.env.TESSERA_TEST_DATABASE_URL?.trim() || undefined;
const inCi = Boolean(process.env.CI) && process.env.CI !== '0' && process.env.CI !== 'false';

const SKIPPED_NOTICE =
  'NOTICE: the PostgreSQL half of the suite was SKIPPED (TESSERA_TEST_DATABASE_URL is not set); ' +
  'only the embedded (PGlite) database was tested. See docs/testing.md to run both.';

if (!postgresUrl) {
  if (inCi) {
    throw new Error('CI is set but TESSERA_TEST_DATABASE_URL is not: the suite must run against PostgreSQL too (see .ci/run).');
  }
  // Vite may evaluate this file more than once per run; say it once at the top.
  const printed = globalThis as { tesseraSkipNoticePrinted?: boolean };
  if (!printed.tesseraSkipNoticePrinted) console.warn(`\n${SKIPPED_NOTICE}\n`);
  printed.tesseraSkipNoticePrinted = true;
}

/** Integration tests start real servers (a few seconds) and hash with argon2: two at a time fits 2 cores. */
const workers = Number(process.env.TESSERA_TEST_WORKERS) || Math.min(2, availableParallelism());

function databaseProject(kind: 'embedded' | 'postgres'): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name: kind,
      // Only the server talks to a database; the libraries' tests run once, in the embedded project.
      include: kind === 'embedded'
        ? ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts']
        : ['packages/server/src/**/*.test.ts', 'packages/server/test/**/*.test.ts'],
      env: { TESSERA_TEST_DB: kind },
      // One migrated embedded database per run, copied into each test's fresh data directory
      // instead of running initdb (~5 s) every time (test/support/embedded-template.ts).
      ...(kind === 'embedded' ? { globalSetup: ['packages/server/test/support/embedded-template.ts'] } : {}),
    },
  };
}

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    maxWorkers: workers,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    projects: [databaseProject('embedded'), ...(postgresUrl ? [databaseProject('postgres')] : [])],
    reporters: [
      'default',
      {
        // Repeated at the end of the run, where it cannot scroll away unseen.
        onTestRunEnd() {
          if (!postgresUrl) console.warn(`\n${SKIPPED_NOTICE}\n`);
        },
      },
    ],
  },
});
