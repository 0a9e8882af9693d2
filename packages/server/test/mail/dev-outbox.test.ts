import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, TENANT } from '../support/fixtures.js';
import { runFlow } from '../support/flows.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The development outbox through the real server: mail from a flow shows up at /dev/outbox, never in production. */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
});
afterAll(async () => {
  await server?.dispose();
});

describe('/dev/outbox on a server without TESSERA_SMTP_URL', () => {
  it('shows the verification mail of a registration, with its link, in a sandboxed frame under its own CSP', async () => {
    const registered = await runFlow(server, TENANT, 'registration', { email: 'olga@example.com', password: 'violet-harbor-engine-42' });
    expect(registered.status).toBe(200);
    // The flow mails after answering: read the list until the row is there (for at most 10 s).
    let list = '';
    for (const deadline = Date.now() + 10_000; !list.includes('to olga@example.com') && Date.now() < deadline;) {
      list = await (await fetch(`${server.url}/dev/outbox`)).text();
    }
    expect(list).toContain('to olga@example.com');
    const id = list.match(/href="\/dev\/outbox\/(\d+)"/)?.[1];
    expect(id).toBeDefined();
    const page = await fetch(`${server.url}/dev/outbox/${id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self' 'unsafe-inline'");
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toMatch(/<iframe [^>]*sandbox=""[^>]*srcdoc="&lt;!doctype html&gt;/);
    expect(html).toMatch(new RegExp(`<a href="${server.url}/${TENANT}/account/verification/confirm\\?token=[\\w-]+">`));
  });
});

describe('/dev/outbox with NODE_ENV=production', () => {
  it('does not exist, even without SMTP', async () => {
    await server.dispose();
    server = await startTestServer({ config: protocolConfig(), env: { NODE_ENV: 'production' } });
    expect((await fetch(`${server.url}/dev/outbox`)).status).toBe(404);
    expect((await fetch(`${server.url}/dev/outbox/1`)).status).toBe(404);
  });
});
