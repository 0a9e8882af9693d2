import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StaticAsset } from '../strength/strength-asset.js';

/** Where pages load the passkey script: `<script type="module" src="{basePath}/assets/passkeys.js">` (experience/flow-pages.ts). */
export const PASSKEY_ASSET_PATH = '/assets/passkeys.js';

const ENTRY = fileURLToPath(new URL('./passkey-script.ts', import.meta.url));
let bundling: Promise<StaticAsset> | undefined;

/**
 * Bundles the passkey script with @simplewebauthn/browser on first request (esbuild, one
 * minified ES module, kept in memory), as the strength meter does: no build step, and a server
 * that never shows a passkey form never pays for it. A failed build is not cached.
 */
export function loadPasskeyAsset(): Promise<StaticAsset> {
  bundling ??= bundle().catch((error: unknown) => {
    bundling = undefined;
    throw error;
  });
  return bundling;
}

async function bundle(): Promise<StaticAsset> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY], bundle: true, format: 'esm', minify: true, write: false, platform: 'browser',
    target: ['es2020'], charset: 'utf8', logLevel: 'silent', outfile: join(dirname(ENTRY), 'out', 'passkeys.js'),
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild produced no passkey script');
  const body = Buffer.from(`${licenseNotice()}${file.text}`);
  return {
    path: PASSKEY_ASSET_PATH, body, contentType: 'text/javascript; charset=utf-8', gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, cacheControl: 'public, max-age=3600',
  };
}

/** The MIT notice of @simplewebauthn/browser, which the bundle carries. */
function licenseNotice(): string {
  const require = createRequire(import.meta.url);
  // The package exports no package.json: its entry is {root}/script/index.js.
  const root = join(dirname(require.resolve('@simplewebauthn/browser')), '..');
  return `/*!\n@simplewebauthn/browser — https://github.com/MasterKale/SimpleWebAuthn\n${readFileSync(join(root, 'LICENSE.md'), 'utf8').trim().replaceAll('*/', '* /')}\n*/\n`;
}

/** `GET /assets/passkeys.js`: same origin as the pages, so the CSP's `script-src 'self'` allows it (src/http/security-headers.ts). */
export async function registerPasskeyAsset(app: FastifyInstance): Promise<void> {
  app.get(PASSKEY_ASSET_PATH, (request, reply) => sendPasskeyAsset(request, reply));
}

async function sendPasskeyAsset(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const asset = await loadPasskeyAsset();
  reply.type(asset.contentType).header('Cache-Control', asset.cacheControl).header('ETag', asset.etag).header('Vary', 'Accept-Encoding');
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('Content-Encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}
