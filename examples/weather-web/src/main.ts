import { createWeatherWeb } from './weather-web.js';

// Settings from the environment; the defaults are the demo's (`npm start` / `npm run demo`).
const port = Number(process.env.PORT ?? 5000);
const host = process.env.HOST ?? '127.0.0.1';
const cookieSecret = process.env.COOKIE_SECRET ?? 'dev-only-cookie-secret-0123456789abcdef';
if (!process.env.COOKIE_SECRET) console.warn('COOKIE_SECRET is not set: using the public development value (set it outside a demo: openssl rand -base64 32).');

const app = createWeatherWeb({
  issuer: process.env.ISSUER ?? 'http://localhost:4000/demo',
  clientId: process.env.CLIENT_ID ?? 'weather-web',
  clientSecret: process.env.CLIENT_SECRET ?? 'dev-only-web-secret-0123456789abcdef',
  baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`,
  apiUrl: process.env.WEATHER_API_URL ?? 'http://localhost:5001',
  cookieSecret,
  weatherScope: process.env.WEATHER_SCOPE ?? 'api://weather/weather.read',
});
app.listen(port, host, (error?: Error) => {
  if (error) throw error;
  console.log(`Weather web app on http://localhost:${port} (open it in a browser)`);
});
