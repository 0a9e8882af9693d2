/**
 * The request every server gets, and the check run before any load: one token response must
 * be a JWT access token (RFC 9068 `typ: at+jwt`) signed with the expected alg for `api://weather`,
 * so the servers are compared doing the same work.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { BENCH_AUDIENCE, BENCH_CLIENT } from './bench-settings.js';
import type { BenchAlg } from './bench-settings.js';
import type { BenchServer } from './servers.js';

export const TOKEN_REQUEST_HEADERS = {
  authorization: `Basic ${Buffer.from(`${BENCH_CLIENT.clientId}:${BENCH_CLIENT.clientSecret}`).toString('base64')}`,
  'content-type': 'application/x-www-form-urlencoded',
};

const TokenResponseSchema = z.object({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number(),
});

export interface IssuedTokenSummary {
  alg: string;
  claims: string[];
  bytes: number;
}

/** Requests one token and throws unless it is an `at+jwt` with `alg` and `aud: api://weather`. */
export async function assertIssuesExpectedToken(server: BenchServer, alg: BenchAlg): Promise<IssuedTokenSummary> {
  const response = await fetch(server.tokenUrl, {
    method: 'POST',
    headers: TOKEN_REQUEST_HEADERS,
    body: server.body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`${server.label}: token request returned ${response.status}: ${text}`);
  }
  const { access_token: token } = TokenResponseSchema.parse(JSON.parse(text));
  const header = decodeProtectedHeader(token);
  const payload = decodeJwt(token);
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  const problems = [
    header.typ?.toLowerCase() === 'at+jwt' ? undefined : `typ is ${header.typ}, expected at+jwt`,
    header.alg === alg ? undefined : `alg is ${header.alg}, expected ${alg}`,
    audiences.includes(BENCH_AUDIENCE) ? undefined : `aud is ${JSON.stringify(payload.aud)}, expected ${BENCH_AUDIENCE}`,
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) {
    throw new Error(`${server.label}: not comparable: ${problems.join('; ')}`);
  }
  return { alg: header.alg ?? '', claims: Object.keys(payload), bytes: token.length };
}
