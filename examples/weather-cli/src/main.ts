import { createClientApplication } from '@tessera/client';

// A command-line tool acting for a user: device code sign-in (RFC 8628), then GET /weather.
// Settings from the environment; the defaults are the demo's (`npm start` / `npm run demo`).
const authority = process.env.ISSUER ?? 'http://localhost:4000/demo';
const clientId = process.env.CLIENT_ID ?? 'weather-cli';
const apiUrl = process.env.WEATHER_API_URL ?? 'http://localhost:5001';
const scopes = (process.env.WEATHER_SCOPES ?? 'api://weather/weather.read').split(' ');

const cli = createClientApplication({ authority, clientId }); // a public client: no secret
const { accessToken, account } = await cli.acquireTokenByDeviceCode({
  scopes,
  onCode: (info) => console.log(info.message), // "To sign in, open … and enter the code …"
});
console.log(`Signed in as ${account?.username ?? account?.name ?? account?.subject}.`);

const response = await fetch(`${apiUrl}/weather`, { headers: { authorization: `Bearer ${accessToken}` } });
if (!response.ok) {
  const body = await response.json().catch(() => ({})) as { error?: string; error_description?: string };
  console.error(`The Weather API refused: ${response.status} ${body.error ?? ''}: ${body.error_description ?? response.statusText}`);
  process.exit(1);
}
const weather = await response.json() as { location: string; forecast: { day: string; summary: string }[] };
console.log(`Forecast for ${weather.location}: ${weather.forecast.map((day) => `${day.day} ${day.summary.toLowerCase()}`).join(', ')}.`);
