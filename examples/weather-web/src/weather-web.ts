import express from 'express';
import type { Express } from 'express';
import { createWebAuth } from '@tessera/web';
import { expressInteractionHandler, expressWebAuth, requireUser } from '@tessera/web/express';

/** The web app's settings (main.ts reads them from the environment). */
export interface WeatherWebOptions {
  /** The provider's issuer, e.g. `http://localhost:4000/demo`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where this app is reached, e.g. `http://localhost:5000`; `/signin-oidc` and `/` under it are registered at the provider. */
  baseUrl: string;
  /** The Weather API, e.g. `http://localhost:5001`. */
  apiUrl: string;
  /** At least 32 bytes of randomness: seals the session cookie. */
  cookieSecret: string;
  /** The scope the API needs, in the provider's form. */
  weatherScope: string;
}

const page = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Weather</title></head><body>${body}</body></html>`;
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const signOut = '<form method="post" action="/signout"><button>Sign out</button></form>';

/**
 * A server-rendered app: `/` says who is signed in, `/signin` signs in (code flow with PKCE,
 * state and nonce — the library's job), `/weather` calls the Weather API with the user's token.
 */
export function createWeatherWeb(options: WeatherWebOptions): Express {
  const auth = createWebAuth({
    issuer: options.issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    redirectUri: `${options.baseUrl}/signin-oidc`,
    postLogoutRedirectUri: `${options.baseUrl}/`,
    // Consent to the API once, at sign-in; getAccessToken then refreshes silently.
    scopes: ['openid', 'profile', 'offline_access', options.weatherScope],
    cookie: { secret: options.cookieSecret },
  });

  const app = express();
  app.use(expressWebAuth(auth)); // GET /signin, GET /signin-oidc, POST /signout, req.user
  app.get('/', (req, res) => {
    res.send(page(req.user
      ? `<h1>Hello ${escape(String(req.user.name ?? req.user.preferred_username ?? req.user.sub))}</h1><p><a href="/weather">Today's forecast</a></p>${signOut}`
      : '<h1>Weather</h1><p><a href="/signin?returnTo=/weather">Sign in</a> to see the forecast.</p>'));
  });
  app.get('/weather', requireUser(), async (req, res) => {
    const token = await req.oidc!.getAccessToken({ scopes: [options.weatherScope] });
    const response = await fetch(`${options.apiUrl}/weather`, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) {
      res.status(502).send(page(`<p>The Weather API answered ${response.status}.</p>`));
      return;
    }
    const weather = await response.json() as { location: string; forecast: { day: string; summary: string; highC: number; lowC: number }[] };
    const rows = weather.forecast.map((d) => `<li>${escape(d.day)}: ${escape(d.summary)}, ${d.lowC}–${d.highC} °C</li>`).join('');
    res.send(page(`<h1>Forecast for ${escape(weather.location)}</h1><p>Signed in as ${escape(String(req.user!.name ?? req.user!.sub))}.</p><ul>${rows}</ul>${signOut}`));
  });
  app.use(expressInteractionHandler()); // a scope not yet consented to: back through sign-in
  return app;
}
