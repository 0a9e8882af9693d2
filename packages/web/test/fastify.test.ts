import Fastify from 'fastify';
import { fastifyRequireUser, fastifyWebAuth } from '../src/fastify.js';
import { runWebAuthCases, type StartApp } from './web-auth-cases.js';

const startFastify: StartApp = async (auth, port) => {
  const app = Fastify();
  await app.register(fastifyWebAuth, { auth });
  app.get('/me', { preHandler: fastifyRequireUser() }, async (request) => ({ user: request.user }));
  app.get<{ Querystring: { scope: string } }>('/token', { preHandler: fastifyRequireUser() }, async (request) => {
    const token = await request.oidc!.getAccessToken({ scopes: [request.query.scope] });
    return { token };
  });
  app.get('/signed-out', async (_request, reply) => reply.type('text/plain').send('Signed out'));
  await app.listen({ port, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
};

runWebAuthCases('Fastify', startFastify);
