export { findFreePort } from '../../src/server/free-port.js';
export { basicAuth, createCookieJar, createHttpClient, form } from './http.js';
export type { CookieJar, FollowResult, HttpClient, RedirectHop, StoredCookie } from './http.js';
export type { CliResult, ServerExit } from './server-process.js';
export { createTestPostgresDatabase, dropTestPostgresDatabase, openTestDatabase, testDatabaseKind } from './test-database.js';
export type { TestDatabaseKind } from './test-database.js';
export { startTestServer } from './test-server.js';
export type { StartTestServerOptions, TestServer } from './test-server.js';
