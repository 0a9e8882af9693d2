/**
 * The guard benchmark's server: a plain node:http weather API with three routes — `/bare`
 * (no guard), `/guarded` (requireScopes('weather.read')) and `/cached` (the same with the
 * verified-token cache) — plus the issuer's discovery and JWKS under `/issuer`, all in one
 * process. Run by bench/guard.ts, pinned to the server core.
 *
 * Prints `guard weather API listening on <url> token <access token>` once ready.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createGuard } from '../packages/guard/src/index.js';
import { nodeGuard } from '../packages/guard/src/node-http.js';

const alg = process.env.BENCH_ALG === 'RS256' ? 'RS256' : 'ES256';
const AUDIENCE = 'api://weather';
const FORECAST = JSON.stringify({ city: 'Oslo', forecast: [{ day: 'mon', celsius: 4 }, { day: 'tue', celsius: 6 }] });

const { privateKey, publicKey } = await generateKeyPair(alg);
const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg, use: 'sig' }] });
let issuer = '';

const weather = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(FORECAST);
};
const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
const server = createServer((req, res) => {
  const route = routes.get(req.url ?? '');
  if (route) route(req, res);
  else res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
issuer = `${url}/issuer`;
routes.set('/issuer/.well-known/openid-configuration', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` })));
routes.set('/issuer/jwks', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
routes.set('/bare', weather);
routes.set('/guarded', nodeGuard(createGuard({ issuer, audience: AUDIENCE })).requireScopes('weather.read')(weather));
routes.set('/cached', nodeGuard(createGuard({ issuer, audience: AUDIENCE, cache: { maxEntries: 10_000 } })).requireScopes('weather.read')(weather));

const token = await new SignJWT({ scope: 'weather.read', client_id: 'bench', tid: 'bench' })
  .setProtectedHeader({ alg, kid: 'bench', typ: 'at+jwt' })
  .setIssuer(issuer).setAudience(AUDIENCE).setSubject('bench').setIssuedAt().setExpirationTime('2h')
  .sign(privateKey);
process.stdout.write(`guard weather API listening on ${url} token ${token}\n`);
const close = () => server.close(() => process.exit(0));
process.once('SIGTERM', close);
process.once('SIGINT', close);
