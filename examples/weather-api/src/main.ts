import { createWeatherApi } from './weather-api.js';

// Settings from the environment; the defaults are the demo's (`npm start` / `npm run demo`).
const issuer = process.env.ISSUER ?? 'http://localhost:4000/demo';
const audience = process.env.API_AUDIENCE ?? 'api://weather';
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 5001);

createWeatherApi({ issuer, audience }).listen(port, host, (error?: Error) => {
  if (error) throw error; // e.g. EADDRINUSE: another process has the port
  console.log(`Weather API on http://${host}:${port}/weather (tokens from ${issuer} for ${audience})`);
});
