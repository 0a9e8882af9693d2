import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where pages load the meter: `<script type="module" src="{basePath}/assets/password-strength.js">`. */
export const STRENGTH_ASSET_PATH = '/assets/password-strength.js';
/** The estimator chunk(s) the meter imports, content-hashed: `/assets/password-strength-{hash}.js`. */
const CHUNK_PREFIX = '/assets/password-strength-';

export type StaticAsset = {
  path: string;
  contentType: string;
  body: Buffer;
  /** The same bytes gzip-compressed, for clients that accept it. */
  gzip: Buffer;
  etag: string;
  cacheControl: string;
};

const ENTRY = fileURLToPath(new URL('./strength-meter-script.ts', import.meta.url));
let bundling: Promise<Map<string, StaticAsset>> | undefined;

/**
 * Bundles the meter with esbuild on first call — minified ES modules, the zxcvbn estimator split
 * into its own chunk — and keeps the files in memory, keyed by URL path: there is no build step,
 * and the server starts without paying for it. A failed build is not cached.
 */
export function loadStrengthAssets(): Promise<Map<string, StaticAsset>> {
  bundling ??= bundle().catch((error: unknown) => {
    bundling = undefined;
    throw error;
  });
  return bundling;
}

async function bundle(): Promise<Map<string, StaticAsset>> {
  const { build } = await import('esbuild');
  const outdir = join(dirname(ENTRY), 'out'); // virtual: write is false
  const result = await build({
    entryPoints: { 'password-strength': ENTRY }, outdir, chunkNames: 'password-strength-[hash]',
    bundle: true, splitting: true, format: 'esm', minify: true, write: false, platform: 'browser',
    target: ['es2020'], charset: 'utf8', logLevel: 'silent',
  });
  const notice = licenseNotice();
  const assets = new Map<string, StaticAsset>();
  for (const file of result.outputFiles) {
    const path = `/assets/${basename(file.path)}`;
    const isEntry = path === STRENGTH_ASSET_PATH;
    // The chunk carries zxcvbn-ts and its word lists: their licences travel with them.
    const body = Buffer.from(isEntry ? file.text : `${notice}${file.text}`);
    assets.set(path, {
      path, body, contentType: 'text/javascript; charset=utf-8', gzip: gzipSync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      // The entry keeps its URL (cached like the stylesheet); chunks are named by their content.
      cacheControl: isEntry ? 'public, max-age=3600' : 'public, max-age=31536000, immutable',
    });
  }
  return assets;
}

/** MIT (zxcvbn-ts, Dropbox) and ODC-BY (OpenSubtitles word frequencies) notices, as one comment. */
function licenseNotice(): string {
  const require = createRequire(import.meta.url);
  const read = (pkg: string, file: string) =>
    readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file), 'utf8').trim();
  const parts = [
    `@zxcvbn-ts/core, @zxcvbn-ts/language-common, @zxcvbn-ts/language-en — https://github.com/zxcvbn-ts/zxcvbn\n${read('@zxcvbn-ts/core', 'LICENSE.txt')}`,
    `@zxcvbn-ts/language-en NOTICE\n${read('@zxcvbn-ts/language-en', 'NOTICE.md')}`,
  ];
  return `/*!\n${parts.join('\n\n').replaceAll('*/', '* /')}\n*/\n`;
}

/**
 * `GET /assets/password-strength.js` and its chunks. Same origin as the pages, so the CSP's
 * `script-src 'self'` allows them (src/http/security-headers.ts); module scripts need no change.
 */
export async function registerStrengthAsset(app: FastifyInstance): Promise<void> {
  app.get(STRENGTH_ASSET_PATH, (request, reply) => sendAsset(request, reply, STRENGTH_ASSET_PATH));
  app.get(`${CHUNK_PREFIX}:chunk`, (request, reply) =>
    sendAsset(request, reply, `${CHUNK_PREFIX}${(request.params as { chunk: string }).chunk}`));
}

async function sendAsset(request: FastifyRequest, reply: FastifyReply, path: string): Promise<FastifyReply> {
  const asset = (await loadStrengthAssets()).get(path);
  if (!asset) {
    reply.callNotFound();
    return reply;
  }
  reply.type(asset.contentType).header('Cache-Control', asset.cacheControl)
    .header('ETag', asset.etag).header('Vary', 'Accept-Encoding');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
    return reply.header('Content-Encoding', 'gzip').send(asset.gzip);
  }
  return reply.send(asset.body);
}
