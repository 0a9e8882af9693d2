import { gunzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStrengthAssets, registerStrengthAsset, STRENGTH_ASSET_PATH } from './strength-asset.js';

describe('password strength assets', () => {
  it('bundles a small meter module that imports the zxcvbn estimator chunk on demand', async () => {
    const assets = await loadStrengthAssets();
    const entry = assets.get(STRENGTH_ASSET_PATH);
    const chunks = [...assets.values()].filter((asset) => asset !== entry);
    expect(entry).toBeDefined();
    const js = entry!.body.toString('utf8');
    expect(js).toContain('input[type="password"][data-strength]');
    expect(js).toContain('-strength');
    expect(js).toContain('aria-live');
    expect(js).toContain('Very strong');
    expect(js).not.toContain('innerHTML');
    expect(entry!.body.length).toBeLessThan(8 * 1024);
    expect(chunks).toHaveLength(1);
    const chunk = chunks[0]!;
    expect(chunk.path).toMatch(/^\/assets\/password-strength-[A-Z0-9]+\.js$/);
    expect(js).toContain(`./${chunk.path.slice('/assets/'.length)}`); // the dynamic import
    const estimator = chunk.body.toString('utf8');
    expect(estimator).toContain('Dan Wheeler and Dropbox'); // MIT notice of zxcvbn-ts
    expect(estimator).toContain('ODC-BY'); // attribution of the OpenSubtitles word list
    expect(estimator).toContain('qwerty'); // the dictionaries
    expect(await loadStrengthAssets()).toBe(assets);
  });

  describe('routes', () => {
    const app = Fastify();
    afterAll(() => app.close());

    it('serves the meter cached like the stylesheet, gzip when accepted, 304 on a matching ETag', async () => {
      await registerStrengthAsset(app);
      const entry = (await loadStrengthAssets()).get(STRENGTH_ASSET_PATH)!;
      const plain = await app.inject({ method: 'GET', url: STRENGTH_ASSET_PATH });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(plain.headers['cache-control']).toBe('public, max-age=3600');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(entry.body)).toBe(true);

      const gzipped = await app.inject({ method: 'GET', url: STRENGTH_ASSET_PATH, headers: { 'accept-encoding': 'gzip, br' } });
      expect(gzipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(gzipped.rawPayload).equals(entry.body)).toBe(true);

      const again = await app.inject({ method: 'GET', url: STRENGTH_ASSET_PATH, headers: { 'if-none-match': String(plain.headers.etag) } });
      expect(again.statusCode).toBe(304);
      expect(again.rawPayload.length).toBe(0);
    });

    it('serves the estimator chunk as immutable, and 404 for any other chunk name', async () => {
      const chunk = [...(await loadStrengthAssets()).values()].find((asset) => asset.path !== STRENGTH_ASSET_PATH)!;
      const response = await app.inject({ method: 'GET', url: chunk.path });
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.rawPayload.equals(chunk.body)).toBe(true);
      expect((await app.inject({ method: 'GET', url: '/assets/password-strength-NOPE.js' })).statusCode).toBe(404);
    });
  });
});
