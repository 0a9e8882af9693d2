import express from 'express';
import type { Express } from 'express';
import { createGuard } from '@tessera/guard';
import { expressGuard } from '@tessera/guard/express';

/** Where the API trusts tokens from, and (for tests) the guard's clock in milliseconds. */
export interface WeatherApiOptions {
  /** The issuer exactly as in the tokens' `iss`, e.g. `http://localhost:4000/demo`. */
  issuer: string;
  /** This API's identifier, the tokens' `aud`: `api://weather`. */
  audience: string;
  clock?: () => number;
}

const FORECAST = [
  { day: 'Monday', summary: 'Sunny', highC: 21, lowC: 11 },
  { day: 'Tuesday', summary: 'Light rain', highC: 17, lowC: 10 },
  { day: 'Wednesday', summary: 'Windy', highC: 15, lowC: 8 },
];

/**
 * The Weather API: GET /weather for a user with `weather.read` or a daemon with the app role
 * `app.weather`; POST /weather (an observation) only with `weather.write`. Everything else about
 * tokens (signature, issuer, audience, expiry, `typ: at+jwt`) is the guard's job.
 */
export function createWeatherApi(options: WeatherApiOptions): Express {
  const guard = createGuard({ issuer: options.issuer, audience: options.audience, ...(options.clock ? { clock: options.clock } : {}) });
  const { requireAny, requireRoles, requireScopes } = expressGuard(guard);
  const observations: unknown[] = [];

  const app = express();
  app.get('/weather', requireAny(requireScopes('weather.read'), requireRoles('app.weather')), (req, res) => {
    res.json({ location: 'Springfield', forecast: FORECAST, caller: req.auth?.sub });
  });
  app.post('/weather', express.json(), requireScopes('weather.write'), (req, res) => {
    observations.push({ ...req.body, by: req.auth?.sub });
    res.status(201).json({ stored: observations.length });
  });
  return app;
}
