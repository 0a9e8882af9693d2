import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * bin/source-bundle.js, which `tessera` uses to run its TypeScript: our sources bundled once by
 * esbuild into a cache and imported by plain Node, bundled again when a source changes, and run
 * through tsx whenever no correct bundle can be made. Each case runs a small TypeScript program
 * in a child process, as `tessera` would run src/cli/main.ts. (Every other CLI and server test
 * runs the real `tessera` through it.)
 */
const LOADER = pathToFileURL(path.resolve(import.meta.dirname, '../../bin/source-bundle.js')).href;

let root: string;
let cache: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tessera-source-bundle-'));
  cache = path.join(root, 'cache');
  write('package.json', JSON.stringify({ type: 'module' })); // as packages/server
  write('src/main.ts', [
    "import { greeting, whereAmI } from './other.js';",
    "import { sep } from 'node:path';",
    "const who: string = 'world';",
    'console.log(JSON.stringify({ greeting: greeting(who), otherUrl: whereAmI(), sep }));',
  ].join('\n'));
  write('src/other.ts', [
    "export function greeting(name: string): string { return `hello ${name}`; }",
    'export function whereAmI(): string { return import.meta.url; }',
    "export function fail(): never { throw new Error('failed in other.ts'); }",
  ].join('\n'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function run(env: NodeJS.ProcessEnv = {}, entry = 'src/main.ts') {
  const script = `import { importSource } from ${JSON.stringify(LOADER)}; await importSource(${JSON.stringify(path.join(root, entry))}, ${JSON.stringify(cache)});`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, TESSERA_SOURCE_BUNDLE: undefined, ...env },
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

function manifest(): { build: string; inputs: Record<string, string> } | undefined {
  const file = path.join(cache, 'manifest.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { build: string; inputs: Record<string, string> } : undefined;
}

describe('running the TypeScript sources from a bundle', () => {
  it('bundles on the first run, keeps each file\'s import.meta.url, and reuses the bundle while no source changes', () => {
    const first = run();
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      greeting: 'hello world',
      otherUrl: pathToFileURL(path.join(root, 'src/other.ts')).href,
      sep: '/',
    });
    const built = manifest();
    expect(Object.keys(built?.inputs ?? {})).toEqual(expect.arrayContaining([path.join(root, 'src/main.ts'), path.join(root, 'src/other.ts')]));
    expect(readdirSync(cache).filter((name) => name.startsWith('build-'))).toEqual([built?.build]);

    const second = run();
    expect(second.stdout).toBe(first.stdout);
    expect(manifest()).toEqual(built);
  });

  it('bundles again after a source file changes, and runs the new code', () => {
    expect(run().code).toBe(0);
    const before = manifest()?.build;
    write('src/other.ts', readFileSync(path.join(root, 'src/other.ts'), 'utf8').replace('hello', 'good morning'));
    const changed = run();
    expect(JSON.parse(changed.stdout)).toMatchObject({ greeting: 'good morning world' });
    expect(manifest()?.build).not.toBe(before);
  });

  it('names the TypeScript file and line in stack traces', () => {
    write('src/throws.ts', "import { fail } from './other.js';\nfail();\n");
    const thrown = run({}, 'src/throws.ts');
    expect(thrown.code).toBe(1);
    expect(manifest()).toBeDefined(); // it ran from the bundle
    expect(thrown.stderr).toContain('failed in other.ts');
    expect(thrown.stderr).toContain(`${path.join(root, 'src/other.ts')}:3:`);
  });

  it('runs through tsx, with its error, when the sources do not compile', () => {
    write('src/other.ts', 'export function greeting(name: string { return name; }\n');
    const broken = run();
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('other.ts');
    expect(manifest()).toBeUndefined();
    expect(existsSync(cache) ? readdirSync(cache) : []).toEqual([]); // the failed build left nothing behind
  });

  it('runs through tsx when a package would resolve to another copy from the bundle than from the source', () => {
    // A package installed beside the sources only: the bundle, in the cache, would not find it.
    write('src/node_modules/local-only/package.json', JSON.stringify({ name: 'local-only', type: 'module', exports: './index.js' }));
    write('src/node_modules/local-only/index.js', "export const value = 'local copy';\n");
    write('src/uses-package.ts', "import { value } from 'local-only';\nconsole.log(value);\n");
    const ran = run({}, 'src/uses-package.ts');
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout.trim()).toBe('local copy');
    expect(manifest()).toBeUndefined();
  });

  it('runs through tsx when the cache cannot be written, or when TESSERA_SOURCE_BUNDLE=off', () => {
    write('not-a-directory', '');
    cache = path.join(root, 'not-a-directory', 'cache');
    const unwritable = run();
    expect(unwritable.code, unwritable.stderr).toBe(0);
    expect(JSON.parse(unwritable.stdout)).toMatchObject({ greeting: 'hello world' });

    cache = path.join(root, 'cache');
    const off = run({ TESSERA_SOURCE_BUNDLE: 'off' });
    expect(JSON.parse(off.stdout)).toMatchObject({ greeting: 'hello world' });
    expect(existsSync(cache)).toBe(false);
  });
});
