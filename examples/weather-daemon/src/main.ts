import { readFileSync } from 'node:fs';
import { createClientApplication, type ClientCredential } from '@tessera/client';

// A background service: its own token (client credentials), then GET /weather.
// Settings from the environment; the defaults are the demo's (`npm start` / `npm run demo`).
const authority = process.env.ISSUER ?? 'http://localhost:4000/demo';
const clientId = process.env.CLIENT_ID ?? 'weather-daemon';
const apiUrl = process.env.WEATHER_API_URL ?? 'http://localhost:5001';
const scopes = (process.env.WEATHER_SCOPES ?? 'api://weather/.default').split(' ');
const certFile = process.env.WEATHER_DAEMON_CERT;
const keyFile = process.env.WEATHER_DAEMON_KEY;

// A certificate (private_key_jwt) when both files are given; otherwise the secret.
const credential: ClientCredential = certFile && keyFile
  ? { certificate: { certificatePem: readFileSync(certFile, 'utf8'), privateKey: readFileSync(keyFile, 'utf8') } }
  : { clientSecret: process.env.CLIENT_SECRET ?? 'dev-only-secret-0123456789abcdef' };

const daemon = createClientApplication({ authority, clientId, credential });
const { accessToken } = await daemon.acquireTokenForClient({ scopes });
console.log(`Signed in as ${clientId} with a ${certFile && keyFile ? 'certificate' : 'client secret'}.`);

const response = await fetch(`${apiUrl}/weather`, { headers: { authorization: `Bearer ${accessToken}` } });
if (!response.ok) {
  // The guard's refusal names what is missing (RFC 6750 §3): print it, never the token.
  const body = await response.json().catch(() => ({})) as { error?: string; error_description?: string };
  console.error(`The Weather API refused: ${response.status} ${body.error ?? ''}: ${body.error_description ?? response.statusText}`);
  process.exit(1);
}
const weather = await response.json() as { location: string; forecast: { day: string; summary: string; highC: number; lowC: number }[] };
console.log(`Forecast for ${weather.location}:`);
for (const day of weather.forecast) console.log(`  ${day.day.padEnd(10)} ${day.summary.padEnd(11)} ${day.lowC}–${day.highC} °C`);
