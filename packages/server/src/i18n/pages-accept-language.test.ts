import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolConfig, TENANT } from '../../test/support/fixtures.js';
import { startTestServer, type TestServer } from '../../test/support/test-server.js';

/**
 * Integration: the language of flow text follows Accept-Language, and a language Tessera has no
 * catalog for gets English with the same stable codes (docs/i18n.md).
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: protocolConfig() });
});
afterAll(async () => {
  await server?.dispose();
});

interface FlowBody {
  id: string;
  ui: { submitLabel: string; nodes: { name: string; label: string; messages: { code: string; text: string }[] }[]; messages: { code: string; text: string }[] };
}

async function post(path: string, language: string | undefined, body: Record<string, string> = {}): Promise<{ status: number; body: FlowBody }> {
  const res = await fetch(`${server.url}/${TENANT}/api/flows/${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(language ? { 'accept-language': language } : {}) },
  });
  return { status: res.status, body: await res.json() as FlowBody };
}

/** Starts a registration flow and submits an empty email and a short password: labels, codes and texts. */
async function refusedRegistration(language: string | undefined) {
  const started = await post('registration', language);
  expect(started.status).toBe(201);
  const refused = await post(`registration/${started.body.id}`, language, { email: 'not-an-address', password: 'short' });
  expect(refused.status).toBe(400);
  // What may differ between two flows: id, expiry, and the action URL that names the id.
  const strip = ({ ui: { action: _action, ...ui } }: FlowBody & { ui: { action?: string } }) => ({ ui });
  return { started: strip(started.body), refused: strip(refused.body) };
}

describe('flow text and Accept-Language', () => {
  it('answers an unknown language (xx) in English with the same codes as English', async () => {
    const english = await refusedRegistration('en-US,en;q=0.9');
    const unknown = await refusedRegistration('xx, yy;q=0.5');
    const none = await refusedRegistration(undefined);
    expect(unknown).toEqual(english);
    expect(none).toEqual(english);
    expect(unknown.started.ui.submitLabel).toBe('Create account');
    expect(unknown.started.ui.nodes.map((n) => n.label)).toEqual(['Email', 'Username', 'Name', 'Password']);
    const errors = Object.fromEntries(unknown.refused.ui.nodes.filter((n) => n.messages.length).map((n) => [n.name, n.messages[0]]));
    expect(errors).toEqual({
      email: { code: 'email.invalid', type: 'error', text: 'Enter a valid email address, like name@example.com.' },
      password: { code: 'password.too_short', type: 'error', text: expect.stringMatching(/^Use at least \d+ characters\.$/) },
    });
  });

  it('renders account pages with <html lang> of the negotiated locale', async () => {
    const res = await fetch(`${server.url}/${TENANT}/account/login`, { headers: { 'accept-language': 'xx' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Sign in</h1>');
    expect(html).toContain('>Forgot password?</a>');
  });
});
