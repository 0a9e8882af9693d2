import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago: listen on port 0, read the port, close. The caller
 * binds it next; another process may take it in between (startTestServer retries on
 * EADDRINUSE; `tessera start --port 0` reports it and exits).
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
