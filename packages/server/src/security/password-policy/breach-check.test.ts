import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPassword } from './check-password.js';
import { PasswordPolicySettingsSchema } from './password-policy-settings.js';

/** A real range endpoint on 127.0.0.1 (Pwned Passwords response shape). */
type Seen = { url: string; headers: IncomingHttpHeaders };
const servers: Server[] = [];

async function startRangeServer(respond: (prefix: string, res: import('node:http').ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    respond((req.url ?? '').split('/').pop() ?? '', res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/range/`, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const sha1 = (value: string) => createHash('sha1').update(value, 'utf8').digest('hex').toUpperCase();
const PASSWORD = 'velvet-otter-trampoline';
const HASH = sha1(PASSWORD);
const settingsFor = (url: string, timeoutMs = 1500) =>
  PasswordPolicySettingsSchema.parse({ breachCheck: { enabled: true, url, timeoutMs } });
/** A padded range body: decoys with count 0, and optionally our suffix with a count. */
const rangeBody = (ownCount?: number) => [
  `${'0'.repeat(35)}:3`, `${'A'.repeat(35)}:0`,
  ...(ownCount === undefined ? [] : [`${HASH.slice(5)}:${ownCount}`]), `${'F'.repeat(35)}:12`,
].join('\r\n');

describe('checkPassword: breach check (k-anonymity range API)', () => {
  it('rejects a breached password, sending only the 5-character SHA-1 prefix and Add-Padding', async () => {
    const range = await startRangeServer((_prefix, res) => res.writeHead(200).end(rangeBody(42)));
    const result = await checkPassword(PASSWORD, { settings: settingsFor(range.url), identifiers: [] });
    expect(result).toMatchObject({ ok: false, code: 'password.breached', params: { occurrences: 42 } });
    expect(range.seen).toHaveLength(1);
    expect(range.seen[0]?.url).toBe(`/range/${HASH.slice(0, 5)}`);
    expect(range.seen[0]?.headers['add-padding']).toBe('true');
    expect(JSON.stringify(range.seen)).not.toContain(HASH.slice(5));
  });

  it('accepts a password whose suffix is absent, or present only as padding (count 0)', async () => {
    const absent = await startRangeServer((_prefix, res) => res.writeHead(200).end(rangeBody()));
    expect(await checkPassword(PASSWORD, { settings: settingsFor(absent.url), identifiers: [] })).toEqual({ ok: true, warnings: [] });
    const padded = await startRangeServer((_prefix, res) => res.writeHead(200).end(rangeBody(0)));
    expect(await checkPassword(PASSWORD, { settings: settingsFor(padded.url), identifiers: [] })).toEqual({ ok: true, warnings: [] });
  });

  it('fails open on a timeout (a server that never answers) and says so', async () => {
    const range = await startRangeServer(() => { /* never answers */ });
    const started = performance.now();
    const result = await checkPassword(PASSWORD, { settings: settingsFor(range.url, 150), identifiers: [] });
    expect(result).toEqual({ ok: true, warnings: [{ code: 'password.breach_check_unavailable', reason: 'timeout' }] });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('fails open on HTTP 500', async () => {
    const range = await startRangeServer((_prefix, res) => res.writeHead(500).end('oops'));
    expect(await checkPassword(PASSWORD, { settings: settingsFor(range.url), identifiers: [] })).toEqual({
      ok: true, warnings: [{ code: 'password.breach_check_unavailable', reason: 'http_status', status: 500 }],
    });
  });

  it('fails open when nothing listens, and on a body that is not a range response', async () => {
    const closed = await startRangeServer(() => {});
    const url = closed.url;
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    expect(await checkPassword(PASSWORD, { settings: settingsFor(url), identifiers: [] })).toMatchObject({
      ok: true, warnings: [{ reason: 'network' }],
    });
    const html = await startRangeServer((_prefix, res) => res.writeHead(200).end('<html>captive portal</html>'));
    expect(await checkPassword(PASSWORD, { settings: settingsFor(html.url), identifiers: [] })).toMatchObject({
      ok: true, warnings: [{ reason: 'invalid_response' }],
    });
  });

  it('does not ask the network about a password an offline rule already rejected', async () => {
    const range = await startRangeServer((_prefix, res) => res.writeHead(200).end(rangeBody(1)));
    expect(await checkPassword('password', { settings: settingsFor(range.url), identifiers: [] })).toMatchObject({ code: 'password.common' });
    expect(range.seen).toHaveLength(0);
  });

  it('is off by default', async () => {
    expect(PasswordPolicySettingsSchema.parse({}).breachCheck.enabled).toBe(false);
  });
});
