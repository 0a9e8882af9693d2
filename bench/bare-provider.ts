/**
 * The baseline: a bare oidc-provider configured like Tessera's client_credentials path
 * (in-memory adapter, one static client, JWT access tokens for one resource server), mounted
 * at `/bench` behind plain node:http so its token URL has the same shape as Tessera's.
 *
 * Run as its own process by the harness: `PORT=... BENCH_ALG=ES256 node --import tsx bench/bare-provider.ts`.
 * Prints `bare oidc-provider listening on <issuer>` once ready.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { z } from 'zod';
import { BENCH_AUDIENCE, BENCH_CLIENT, BENCH_TENANT, BenchAlgSchema } from './bench-settings.js';
import type { BenchAlg } from './bench-settings.js';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535),
  BENCH_ALG: BenchAlgSchema.default('ES256'),
});

async function createSigningJwk(alg: BenchAlg) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  return { ...(await exportJWK(privateKey)), kid: `bench-${alg.toLowerCase()}`, alg, use: 'sig' };
}

function createConfiguration(alg: BenchAlg, jwk: Awaited<ReturnType<typeof createSigningJwk>>): Configuration {
  const resourceServer = {
    scope: 'weather.read weather.write',
    audience: BENCH_AUDIENCE,
    accessTokenFormat: 'jwt',
    accessTokenTTL: 3600,
    jwt: { sign: { alg } },
  } as const;
  return {
    clients: [
      {
        client_id: BENCH_CLIENT.clientId,
        client_secret: BENCH_CLIENT.clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    ttl: { ClientCredentials: resourceServer.accessTokenTTL },
    enabledJWA: { idTokenSigningAlgValues: [alg] },
    clientDefaults: { id_token_signed_response_alg: alg },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => BENCH_AUDIENCE,
        getResourceServerInfo: () => ({ ...resourceServer, jwt: { sign: { alg } } }),
      },
    },
  };
}

/** Strips the `/bench` mount path, keeping `originalUrl` so oidc-provider builds correct URLs. */
function mountAt(path: string, callback: (req: IncomingMessage, res: ServerResponse) => unknown) {
  return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse) => {
    const url = req.url ?? '/';
    if (url !== path && !url.startsWith(`${path}/`) && !url.startsWith(`${path}?`)) {
      res.writeHead(404).end();
      return;
    }
    req.originalUrl = url;
    req.url = url.slice(path.length) || '/';
    void callback(req, res);
  };
}

async function main() {
  const env = EnvSchema.parse(process.env);
  const issuer = `http://127.0.0.1:${env.PORT}/${BENCH_TENANT}`;
  const provider = new Provider(issuer, createConfiguration(env.BENCH_ALG, await createSigningJwk(env.BENCH_ALG)));
  const server = createServer(mountAt(`/${BENCH_TENANT}`, provider.callback()));
  server.keepAliveTimeout = 60_000;
  server.listen(env.PORT, '127.0.0.1', () => {
    process.stdout.write(`bare oidc-provider listening on ${issuer}\n`);
  });
  const close = () => server.close(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

await main();
