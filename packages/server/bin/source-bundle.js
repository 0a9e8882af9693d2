// Runs a TypeScript entry module of this repository fast, with no build step to remember.
//
// Through tsx, every module import makes a round trip to Node 20's loader-hooks thread: the
// server's ~1,000 modules cost ~1.5 s of each `tessera start` and ~1 s of every CLI command.
// So the entry and our own sources (this package and @tessera/passwords) are bundled once with
// esbuild into node_modules/.cache/tessera/ and imported from there by plain Node; installed
// packages stay external, loaded as usual. A manifest lists every bundled source file with its
// size and mtime; when one of them changes, the next run bundles again (~0.5 s). If the bundle
// cannot be made (a read-only install, a syntax error), the entry runs through tsx as before, so
// the error reads the same. docs/cli.md, "How tessera runs its TypeScript".
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MANIFEST_FORMAT = 1;
/** Builds older than this, other than the current one, are removed (a running process has long loaded its chunks). */
const STALE_BUILD_MS = 60 * 60 * 1000;
/** Files that shape the bundle without being bundled: this file (the options) and the TypeScript settings. */
const SETTINGS_FILES = [fileURLToPath(import.meta.url), fileURLToPath(new URL('../../../tsconfig.json', import.meta.url))];

/**
 * Imports `entry` (an absolute path to a .ts file) from its bundle in `cacheDir`, bundling it
 * first when missing or stale; through tsx when no bundle can be made. `TESSERA_SOURCE_BUNDLE=off`
 * always uses tsx.
 */
export async function importSource(entry, cacheDir) {
  const bundle = process.env.TESSERA_SOURCE_BUNDLE === 'off' ? undefined : currentBundle(cacheDir) ?? (await makeBundle(entry, cacheDir));
  if (!bundle) {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(entry).href);
  }
  // Stack traces name the TypeScript files and lines, as under tsx.
  process.setSourceMapsEnabled(true);
  return import(pathToFileURL(bundle).href);
}

/** The bundle's entry file when the manifest's sources are all unchanged, else undefined. */
function currentBundle(cacheDir) {
  try {
    const manifest = JSON.parse(readFileSync(path.join(cacheDir, 'manifest.json'), 'utf8'));
    if (manifest.format !== MANIFEST_FORMAT) return undefined;
    for (const [file, stamp] of Object.entries(manifest.inputs)) {
      if (stampOf(file) !== stamp) return undefined;
    }
    const bundle = path.join(cacheDir, manifest.build, 'main.mjs');
    statSync(bundle);
    return bundle;
  } catch {
    return undefined; // no manifest yet, a source file or the build gone
  }
}

function stampOf(file) {
  const stats = statSync(file);
  return `${stats.size}:${stats.mtimeMs}`;
}

/** Bundles `entry` into a new build directory and points the manifest at it; undefined on failure. */
async function makeBundle(entry, cacheDir) {
  const build = `build-${Date.now().toString(36)}-${process.pid}`;
  const outdir = path.join(cacheDir, build);
  try {
    const esbuild = await import('esbuild');
    mkdirSync(outdir, { recursive: true }); // the plugin resolves packages from it
    const result = await esbuild.build({
      entryPoints: { main: entry },
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Dynamic imports stay separate chunks, loaded only by the commands that need them
      // (`tessera start` alone loads the HTTP server and the protocol engine).
      splitting: true,
      chunkNames: 'chunk-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: path.dirname(entry),
      plugins: [ownSourcesOnly(outdir)],
    });
    // Every source file read, plus the settings; the stamps are taken after the build, so an
    // edit made during it is seen by the next run.
    const inputs = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const file = path.resolve(path.dirname(entry), input);
      inputs[file] = stampOf(file);
    }
    for (const file of SETTINGS_FILES) inputs[file] = stampOf(file);
    const manifest = path.join(cacheDir, 'manifest.json');
    const partial = `${manifest}.${process.pid}`;
    writeFileSync(partial, JSON.stringify({ format: MANIFEST_FORMAT, build, inputs }));
    renameSync(partial, manifest); // atomic: a process running at the same time reads the old or the new one
    removeStaleBuilds(cacheDir, build);
    return path.join(outdir, 'main.mjs');
  } catch (error) {
    if (process.env.TESSERA_DEBUG === '1') console.error('tessera: running through tsx, the sources could not be bundled:', error);
    try {
      rmSync(outdir, { recursive: true, force: true });
    } catch {
      // There was no place to write it.
    }
    return undefined;
  }
}

/**
 * Our own sources (relative imports and the workspace's @tessera/* packages, which are
 * TypeScript) are bundled; every other package stays an import, which Node resolves from the
 * bundle's place in this package's node_modules. The bundle is refused (and tsx used) if that
 * would find another copy of a package than the importing source file finds. In bundled files,
 * `import.meta.url` is the original file's URL, so paths to assets and templates beside the
 * sources still work.
 */
function ownSourcesOnly(outdir) {
  return {
    name: 'tessera-own-sources',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'check' || args.path.startsWith('@tessera/')) return undefined; // esbuild's own resolution
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const [fromSource, fromBundle] = await Promise.all([args.resolveDir, outdir].map((resolveDir) =>
          build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: 'check' })));
        if (fromSource.errors.length > 0 || fromSource.path !== fromBundle.path) {
          return { errors: [{ text: `${args.path} from ${args.importer} is ${fromSource.path || 'not found'}, from the bundle ${fromBundle.path || 'not found'}` }] };
        }
        return { path: args.path, external: true };
      });
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => ({
        contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      }));
    },
  };
}

function removeStaleBuilds(cacheDir, current) {
  for (const name of readdirSync(cacheDir)) {
    if (!name.startsWith('build-') || name === current) continue;
    const directory = path.join(cacheDir, name);
    try {
      if (Date.now() - statSync(directory).mtimeMs > STALE_BUILD_MS) rmSync(directory, { recursive: true, force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}
