import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedTestDatabase } from '../../test/support/test-database.js';
import type { DatabaseHandle } from '../db/database.js';
import { MailSettingsSchema } from './mail-settings.js';
import { createMailer } from './mailer.js';
import { isOutboxEnabled, registerOutboxRoutes } from './outbox-routes.js';

let database: DatabaseHandle;
let app: FastifyInstance;
let firstId: string;
let secondId: string;

beforeAll(async () => {
  database = await openMigratedTestDatabase('tessera-outbox-');
  const mailer = createMailer({ db: database.db });
  const settings = MailSettingsSchema.parse({});
  await mailer.send({
    tenantId: 'acme', to: 'ada@example.com', template: 'verify-email', settings,
    variables: { tenantName: 'Acme', userName: '<script>alert(1)</script>', link: 'https://id.example.com/acme/verify?t=1&f=2', code: '424242', expiresInMinutes: '1440' },
  });
  await mailer.send({ tenantId: null, to: 'bob@example.com', template: 'account-deleted', settings, variables: { tenantName: 'Tessera' } });
  const rows = await database.db.selectFrom('mail_outbox').select('id').orderBy('id').execute();
  [firstId, secondId] = rows.map((row) => String(row.id)) as [string, string];
  app = Fastify();
  await registerOutboxRoutes(app, { db: database.db, enabled: true, basePath: '/id' });
});
afterAll(async () => {
  await app?.close();
  await database.close();
});

describe('GET /dev/outbox', () => {
  it('lists the mail newest first, linking each under the base path', async () => {
    const response = await app.inject('/dev/outbox');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const body = response.body;
    expect(body.indexOf(`href="/id/dev/outbox/${secondId}"`)).toBeGreaterThan(-1);
    expect(body.indexOf(`href="/id/dev/outbox/${secondId}"`)).toBeLessThan(body.indexOf(`href="/id/dev/outbox/${firstId}"`));
    expect(body).toContain('Verify your email address for Acme');
    expect(body).toContain('to bob@example.com');
    expect(body).toContain('href="/id/assets/tessera.css"');
  });
});

describe('GET /dev/outbox/:id', () => {
  it('shows the HTML part in a sandboxed iframe, escaped into srcdoc, with the text part and its links', async () => {
    const response = await app.inject(`/dev/outbox/${firstId}`);
    expect(response.statusCode).toBe(200);
    const body = response.body;
    const iframe = body.match(/<iframe [^>]*>/)?.[0] ?? '';
    expect(iframe).toContain('sandbox=""');
    // The mail's markup is an attribute value: no raw tag of it reaches the page.
    expect(iframe).toMatch(/srcdoc="&lt;!doctype html&gt;/);
    expect(body).not.toContain('<script>');
    expect(body).not.toContain('<p style=');
    expect(body).toContain('&amp;lt;script&amp;gt;');
    expect(body).toMatch(/<pre>Hello &lt;script&gt;alert\(1\)&lt;\/script&gt;,[\s\S]*424242/);
    expect(body).toContain('<a href="https://id.example.com/acme/verify?t=1&amp;f=2">');
    // Inline styles for the previewed mail; still no script source at all.
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['999999', 'abc', '1%27%20or%201=1']) {
      const response = await app.inject(`/dev/outbox/${id}`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ code: 'mail.not_found' });
    }
  });
});

describe('when disabled', () => {
  it('registers no route', async () => {
    const disabled = Fastify();
    await registerOutboxRoutes(disabled, { db: database.db, enabled: false });
    expect((await disabled.inject('/dev/outbox')).statusCode).toBe(404);
    expect((await disabled.inject(`/dev/outbox/${firstId}`)).statusCode).toBe(404);
    await disabled.close();
  });

  it('is enabled only for the outbox outside production', () => {
    expect(isOutboxEnabled({ mailMode: 'outbox', production: false })).toBe(true);
    expect(isOutboxEnabled({ mailMode: 'outbox', production: true })).toBe(false);
    expect(isOutboxEnabled({ mailMode: 'smtp', production: false })).toBe(false);
  });
});
