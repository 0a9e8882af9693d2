import { spawn } from 'node:child_process';
import { ClientError } from './errors.js';

/**
 * Opens a URL in the system browser: `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on
 * Windows, `xdg-open` elsewhere. The URL is one argument of a process started without a shell,
 * so its `&` and quotes are never interpreted.
 *
 * @example
 * ```ts
 * import { openSystemBrowser } from '@tessera/client';
 * await openSystemBrowser('https://id.example.com/demo/auth?client_id=cli');
 * ```
 */
export function openSystemBrowser(url: string): Promise<void> {
  const [command, ...args] = browserCommand(process.platform, url);
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { shell: false, detached: true, stdio: 'ignore' });
    child.once('error', (cause) => reject(new ClientError('ERR_CLIENT_BROWSER',
      `Could not open a browser (${command}); pass openBrowser to show the sign-in URL another way.`, { cause })));
    child.once('spawn', () => { child.unref(); resolve(); });
  });
}

/** The command line that opens `url` on `platform`. */
export function browserCommand(platform: NodeJS.Platform, url: string): string[] {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ClientError('ERR_CLIENT_BROWSER', 'Only http(s) URLs are opened.');
  if (platform === 'darwin') return ['open', parsed.href];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler', parsed.href];
  return ['xdg-open', parsed.href];
}
