import { once } from 'node:events';
import express from 'express';
import { expressInteractionHandler, expressWebAuth, requireUser } from '../src/express.js';
import { runWebAuthCases, type StartApp } from './web-auth-cases.js';

const startExpress: StartApp = async (auth, port) => {
  const app = express();
  app.use(expressWebAuth(auth));
  app.get('/me', requireUser(), (req, res) => { res.json({ user: req.user }); });
  app.get('/token', requireUser(), async (req, res) => {
    const token = await req.oidc!.getAccessToken({ scopes: [String(req.query.scope)] });
    res.json({ token });
  });
  app.get('/signed-out', (_req, res) => { res.type('text/plain').send('Signed out'); });
  app.use(expressInteractionHandler());
  const server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
};

runWebAuthCases('Express', startExpress);
