/** The tests use the server's own free-port probe (src/server/free-port.ts). */
export { findFreePort } from '../../src/server/free-port.js';
