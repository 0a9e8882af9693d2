import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientError } from './errors.js';

/** A one-shot listener for the authorization response on the loopback interface (RFC 8252 §7.3). */
export interface LoopbackServer {
  /** The redirect URI with the port the operating system gave. */
  redirectUri: string;
  /** The first request to the redirect path, as a URL with its query. */
  callback: Promise<URL>;
  close(): void;
}

const PAGE = (title: string, text: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem"><h1>${title}</h1><p>${text}</p></body></html>`;

/**
 * Listens on 127.0.0.1 — not `localhost`, which may resolve to another interface (RFC 8252
 * §8.3) — at the port of `redirectUri` (0: any free port), until the callback or `timeoutMs`.
 */
export async function startLoopbackServer(redirectUri: string, timeoutMs: number, signal?: AbortSignal): Promise<LoopbackServer> {
  const target = new URL(redirectUri);
  if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
    throw new ClientError('ERR_CLIENT_REDIRECT_URI', 'The loopback redirect URI must be http://127.0.0.1[:port]/path (RFC 8252 §7.3).');
  }
  let settle!: { resolve: (url: URL) => void; reject: (error: unknown) => void };
  const callback = new Promise<URL>((resolve, reject) => { settle = { resolve, reject }; });
  callback.catch(() => undefined);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (req.method !== 'GET' || url.pathname !== target.pathname) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const failed = url.searchParams.has('error');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    res.end(failed
      ? PAGE('Sign-in failed', `The application was told: ${escapeHtml(url.searchParams.get('error') ?? '')}. You can close this window.`)
      : PAGE('Signed in', 'You are signed in. You can close this window and return to the application.'));
    settle.resolve(url);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(target.port || 0), '127.0.0.1', () => resolve());
  });
  const timer = setTimeout(() => settle.reject(new ClientError('ERR_CLIENT_TIMEOUT', `No sign-in response within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  timer.unref();
  const onAbort = () => settle.reject(new ClientError('ERR_CLIENT_ABORTED', 'Sign-in was cancelled.', { cause: signal?.reason }));
  signal?.addEventListener('abort', onAbort, { once: true });
  const bound = new URL(target);
  bound.port = String((server.address() as AddressInfo).port);
  return {
    redirectUri: bound.href,
    callback,
    close() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      server.closeAllConnections();
      server.close();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
