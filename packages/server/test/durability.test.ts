import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, form, startTestServer, type ServerExit, type TestServer } from './support/index.js';
import { DAEMON, protocolConfig } from './support/fixtures.js';

/**
 * A 200 from the token endpoint promises that the token's `token.issued` audit row is
 * committed. Kill the server with SIGKILL in the middle of a burst of token requests, start
 * it again, and check the promise held for every token a client received — on the embedded
 * database (PGlite, which must reach its files before answering) and on PostgreSQL.
 */


const WORKERS = 8;
/** Burst at least this long and until more than MIN_ACKNOWLEDGED tokens came back, then kill. */
const BURST_MS = 1_500;
const MIN_ACKNOWLEDGED = 21;
/** Kill anyway after this long, so that a slow server fails the count instead of hanging. */
const BURST_LIMIT_MS = 30_000;

const AUTHORIZATION = basicAuth(DAEMON.clientId, DAEMON.secret);
const TOKEN_REQUEST = form({ grant_type: 'client_credentials', scope: 'api://weather/.default' }).toString();

interface BurstResult {
  /** jti of every 200 whose body arrived whole, before and after the kill signal. */
  acknowledged: string[];
  acknowledgedBeforeKill: number;
  inFlightAtKill: number;
  burstMs: number;
  /** Response statuses (and `network error`), before and after the kill signal. */
  before: Record<string, number>;
  after: Record<string, number>;
  exit: ServerExit;
}

describe('durability: SIGKILL in the middle of a token burst', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: protocolConfig() });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('keeps the audit row of every acknowledged token, its signing keys and its health', { timeout: 180_000 }, async () => {
    const issuer = server.issuer('demo');
    const discovery = await getJson(`${issuer}/.well-known/openid-configuration`) as { token_endpoint: string; jwks_uri: string };
    const kidsBefore = await kidsOf(discovery.jwks_uri);
    expect(kidsBefore.length).toBeGreaterThan(0);

    const burst = await burstThenKill(server, discovery.token_endpoint);
    const restartStarted = performance.now();
    await server.restart();
    const restartMs = Math.round(performance.now() - restartStarted);

    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    expect(await kidsOf(discovery.jwks_uri)).toEqual(kidsBefore);
    const afterRestart = await requestToken(discovery.token_endpoint);
    expect(afterRestart.status, await afterRestart.clone().text()).toBe(200);
    const jtiAfterRestart = jtiOf(((await afterRestart.json()) as { access_token: string }).access_token);

    await server.stop();
    const rows = await server.db().selectFrom('audit_events').select(['data']).where('type', '=', 'token.issued').execute();
    const recorded = new Set(rows.map((row) => row.data.jti));
    const missing = burst.acknowledged.filter((jti) => !recorded.has(jti));

    const report = {
      database: server.databaseKind,
      acknowledgedBeforeKill: burst.acknowledgedBeforeKill,
      acknowledgedTotal: burst.acknowledged.length,
      inFlightAtKill: burst.inFlightAtKill,
      burstMs: burst.burstMs,
      tokensPerSecond: Math.round((burst.acknowledgedBeforeKill / burst.burstMs) * 1000),
      responsesBeforeKill: burst.before,
      responsesAfterKill: burst.after,
      exit: burst.exit,
      restartMs,
      tokenIssuedRows: rows.length,
      missing: missing.length,
    };
    console.info(`[durability] ${JSON.stringify(report)}`);

    expect(burst.exit.signal, 'the server was killed, not stopped').toBe('SIGKILL');
    expect(burst.acknowledgedBeforeKill, `too few tokens before the kill to mean anything: ${JSON.stringify(report)}`).toBeGreaterThanOrEqual(MIN_ACKNOWLEDGED);
    expect(Object.keys(burst.before).filter((status) => status !== '200'), 'only 200s before the kill').toEqual([]);
    expect(missing, `acknowledged tokens without a token.issued audit row: ${JSON.stringify(report)}\n${server.output()}`).toEqual([]);
    expect(recorded.has(jtiAfterRestart)).toBe(true);
  });
});

/** WORKERS clients request tokens back to back; the first to see the burst long enough sends SIGKILL. */
async function burstThenKill(server: TestServer, tokenEndpoint: string): Promise<BurstResult> {
  const acknowledged: string[] = [];
  const before: Record<string, number> = {};
  const after: Record<string, number> = {};
  let killed: Promise<ServerExit> | undefined;
  let acknowledgedBeforeKill = 0;
  let inFlight = 0;
  let inFlightAtKill = 0;
  let burstMs = 0;
  const started = performance.now();

  const worker = async () => {
    while (!killed) {
      inFlight++;
      const outcome = await requestToken(tokenEndpoint).then(readTokenResponse, () => ({ status: 'network error' as const }));
      inFlight--;
      const tally = killed ? after : before;
      tally[outcome.status] = (tally[outcome.status] ?? 0) + 1;
      if ('jti' in outcome) acknowledged.push(outcome.jti);
      const elapsed = performance.now() - started;
      if (!killed && ((acknowledged.length >= MIN_ACKNOWLEDGED && elapsed >= BURST_MS) || elapsed >= BURST_LIMIT_MS)) {
        acknowledgedBeforeKill = acknowledged.length;
        inFlightAtKill = inFlight;
        burstMs = Math.round(elapsed);
        killed = server.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return { acknowledged, acknowledgedBeforeKill, inFlightAtKill, burstMs, before, after, exit: await killed! };
}

function requestToken(tokenEndpoint: string): Promise<Response> {
  return fetch(tokenEndpoint, {
    method: 'POST',
    headers: { authorization: AUTHORIZATION, 'content-type': 'application/x-www-form-urlencoded' },
    body: TOKEN_REQUEST,
    signal: AbortSignal.timeout(20_000),
  });
}

/** A 200 counts as acknowledged only once its whole body (and so the token) arrived. */
async function readTokenResponse(response: Response): Promise<{ status: string; jti: string } | { status: string }> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return { status: `${response.status} (body cut off)` };
  }
  if (response.status !== 200) return { status: String(response.status) };
  return { status: '200', jti: jtiOf((JSON.parse(text) as { access_token: string }).access_token) };
}

function jtiOf(accessToken: string): string {
  const payload = accessToken.split('.')[1];
  if (!payload) throw new Error(`the access token is not a JWT: ${accessToken.slice(0, 20)}…`);
  const { jti } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti?: unknown };
  if (typeof jti !== 'string') throw new Error('the access token has no jti');
  return jti;
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function kidsOf(jwksUri: string): Promise<string[]> {
  const { keys } = await getJson(jwksUri) as { keys: { kid: string }[] };
  return keys.map((key) => key.kid).sort();
}
