import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run demo`: the Tessera server with the demo tenant (exactly as `npm start`: the embedded
 * database in ./data, created at the first run and kept afterwards), then the Weather API on
 * :5001 and the web app on :5000. Prints what to open and what to run. Ctrl-C stops everything;
 * if any of them dies, the others are stopped too.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_PORT = Number(process.env.PORT ?? 4000);
const ISSUER = `http://localhost:${SERVER_PORT}/demo`;
const children: { name: string; child: ChildProcess }[] = [];
let stopping = false;

/** Starts a child with its output prefixed; resolves when a line matches `ready`. */
function start(name: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<void> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push({ name, child });
  return new Promise((resolve, reject) => {
    const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          out.write(`[${name}] ${line}\n`);
          if (ready.test(line)) resolve();
        }
      });
    };
    relay(child.stdout!, process.stdout);
    relay(child.stderr!, process.stderr);
    child.on('exit', (code, signal) => {
      reject(new Error(`${name} exited before it was ready (${signal ?? code})`));
      // Ctrl-C reaches the whole process group: a child stopped by it is not a failure.
      if (signal === 'SIGINT') stopAll('Ctrl-C', 0);
      else stopAll(`${name} stopped (${signal ?? `exit code ${code}`})`, 1);
    });
  });
}

function stopAll(reason: string, exitCode: number): void {
  if (stopping) return;
  stopping = true;
  console.log(`\n${reason}: stopping the demo.`);
  const running = children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
  for (const { child } of running) child.kill('SIGTERM');
  let left = running.length;
  if (left === 0) process.exit(exitCode);
  for (const { child } of running) child.on('exit', () => { if (--left === 0) process.exit(exitCode); });
  setTimeout(() => process.exit(exitCode), 20_000).unref();
}

process.on('SIGINT', () => stopAll('Ctrl-C', 0));
process.on('SIGTERM', () => stopAll('SIGTERM', 0));

try {
  await start('tessera', [path.join(ROOT, 'packages/server/bin/tessera.js'), 'start', '--config', 'packages/server/demo/tessera.yaml', '--demo', '--port', String(SERVER_PORT)],
    {}, /^Tessera is listening on /);
  const examples = { ISSUER, WEATHER_API_URL: 'http://localhost:5001' };
  await Promise.all([
    start('weather-api', ['--import', 'tsx', 'examples/weather-api/src/main.ts'], { ...examples, PORT: '5001' }, /^Weather API on /),
    start('weather-web', ['--import', 'tsx', 'examples/weather-web/src/main.ts'], { ...examples, PORT: '5000' }, /^Weather web app on /),
  ]);
} catch (error) {
  stopAll(error instanceof Error ? error.message : String(error), 1);
  await new Promise(() => {}); // stopAll exits
}

console.log(`
The weather demo is running (development only; every credential in it is public).

  Open   http://localhost:5000        the web app: sign in as alice / correct horse battery staple
  Run    npx tsx examples/weather-daemon/src/main.ts    a daemon's own token (client credentials), then the forecast
  Run    npx tsx examples/weather-cli/src/main.ts       a user's token by device code, then the forecast
  Try    curl -i http://localhost:5001/weather          no token: 401

Issuer ${ISSUER}. Data in ${process.env.TESSERA_DATA_DIR ?? './data'} (kept between runs; delete it to start afresh).
What each example shows: docs/examples.md. Ctrl-C stops everything.
`);
