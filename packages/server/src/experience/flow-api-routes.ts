import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { FLOW_TYPES, FlowError, type Flow, type FlowInput, type FlowStep } from '../identity/flows/flow-types.js';
import { flowService, flowToJson } from '../identity/flows/flow-service.js';
import { SubmittedFieldsSchema } from '../identity/flows/flow-fields.js';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import { createUserRepository } from '../db/repositories/users.js';
import { sendProblem } from '../http/problem.js';
import type { AccountContexts } from './account-context.js';

const TypeParams = z.object({ tenant: z.string(), type: z.enum(FLOW_TYPES) });
const FlowParams = TypeParams.extend({ id: z.string().max(64) });
/**
 * The flows as JSON for native apps and custom UIs: `/{tenant}/api/flows/{type}` starts one
 * (and, given fields, submits them at once: a sign-in in one request), `GET …/{id}` reads it,
 * `POST …/{id}` submits it. Sessions travel as bearer tokens. Message `code`s are stable;
 * `text` and labels are written in the language negotiated from the Accept-Language of the
 * request that wrote them (docs/i18n.md).
 */
export async function registerFlowApiRoutes(parent: FastifyInstance, deps: { contexts: AccountContexts; publicUrl: string }): Promise<void> {
  await parent.register(async (app) => routes(app, deps));
}

async function routes(app: FastifyInstance, deps: { contexts: AccountContexts; publicUrl: string }): Promise<void> {
  const { contexts } = deps;
  // JSON bodies; an empty one (a bodiless POST that still says application/json) is `{}`.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('The body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  const action = (tenant: string, flow: Flow) => `${deps.publicUrl}/${tenant}/api/flows/${flow.type}/${flow.id}`;
  const sendSubmitted = (reply: FastifyReply, tenant: string, { flow, step }: { flow: Flow; step: FlowStep }) =>
    sendStep(reply, step, { ...flowToJson(flow, action(tenant, flow)), ...sessionJson(step) });
  const unknownTenant = (reply: FastifyReply) => sendProblem(reply, { status: 404, code: 'tenant.not_found', title: 'Unknown tenant' });
  const flowError = (reply: FastifyReply, error: unknown) => {
    if (!(error instanceof FlowError)) throw error;
    return sendProblem(reply, { status: error.status, code: error.problem.code, title: error.problem.text });
  };

  app.post('/:tenant/api/flows/:type', async (request, reply) => {
    const params = TypeParams.safeParse(request.params);
    if (!params.success) return sendProblem(reply, { status: 404, code: 'flow.unknown_type', title: 'Unknown flow type', detail: `Flow types: ${FLOW_TYPES.join(', ')}` });
    const fields = submittedFields(reply, request.body);
    if (!fields) return reply;
    const ctx = await contexts.forRequest(request, params.data.tenant, 'bearer');
    if (!ctx) return unknownTenant(reply);
    try {
      // Fields with the start: started and submitted in one request, answered as the submit is.
      if (Object.keys(fields).length) return sendSubmitted(reply, ctx.tenant.id, await flowService.startAndSubmit(ctx, params.data.type, fields));
      const flow = await flowService.start(ctx, params.data.type);
      return reply.code(201).header('Cache-Control', 'no-store').send(flowToJson(flow, action(ctx.tenant.id, flow)));
    } catch (error) {
      return flowError(reply, error);
    }
  });

  app.get('/:tenant/api/flows/:type/:id', async (request, reply) => {
    const params = FlowParams.safeParse(request.params);
    if (!params.success) return sendProblem(reply, { status: 404, code: 'flow.not_found', title: 'No such flow' });
    const ctx = await contexts.forRequest(request, params.data.tenant, 'bearer');
    if (!ctx) return unknownTenant(reply);
    try {
      const flow = await flowService.load(ctx, params.data.type, params.data.id);
      return reply.header('Cache-Control', 'no-store').send(flowToJson(flow, action(ctx.tenant.id, flow)));
    } catch (error) {
      return flowError(reply, error);
    }
  });

  app.post('/:tenant/api/flows/:type/:id', async (request, reply) => {
    const params = FlowParams.safeParse(request.params);
    if (!params.success) return sendProblem(reply, { status: 404, code: 'flow.not_found', title: 'No such flow' });
    const fields = submittedFields(reply, request.body);
    if (!fields) return reply;
    const ctx = await contexts.forRequest(request, params.data.tenant, 'bearer');
    if (!ctx) return unknownTenant(reply);
    try {
      const flow = await flowService.load(ctx, params.data.type, params.data.id);
      return sendSubmitted(reply, ctx.tenant.id, await flowService.submit(ctx, flow, fields));
    } catch (error) {
      return flowError(reply, error);
    }
  });

  /** Who is signed in with this session token (the "whoami" of the flows API). */
  app.get('/:tenant/api/session', async (request, reply) => {
    const ctx = await contexts.forRequest(request, String((request.params as { tenant?: unknown }).tenant ?? ''), 'bearer');
    if (!ctx) return unknownTenant(reply);
    if (!ctx.session) return sendProblem(reply, { status: 401, code: 'session.required', title: 'No valid session token' });
    const user = await createUserRepository(ctx.deps.db).find(ctx.tenant.id, ctx.session.userId);
    return reply.header('Cache-Control', 'no-store').send({
      id: ctx.session.id, authenticated_at: ctx.session.authenticatedAt.toISOString(), expires_at: ctx.session.expiresAt.toISOString(),
      amr: ctx.session.amr,
      user: user && { id: user.id, username: user.username, email: user.email, email_verified: user.emailVerified, name: user.name },
    });
  });

  app.delete('/:tenant/api/session', async (request, reply) => {
    const ctx = await contexts.forRequest(request, String((request.params as { tenant?: unknown }).tenant ?? ''), 'bearer');
    if (!ctx) return unknownTenant(reply);
    if (!ctx.session) return sendProblem(reply, { status: 401, code: 'session.required', title: 'No valid session token' });
    await createAccountSessionRepository(ctx.deps.db).revoke(ctx.session.id, ctx.now);
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'session.revoked', actor: ctx.session.userId, subject: ctx.session.userId,
      correlationId: ctx.correlationId });
    return reply.code(204).send();
  });
}

/** The submitted fields, or undefined after answering 400 (nothing is started or changed then). */
function submittedFields(reply: FastifyReply, body: unknown): FlowInput | undefined {
  const parsed = SubmittedFieldsSchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  void sendProblem(reply, { status: 400, code: 'request.invalid', title: 'The body must be a JSON object of string fields',
    errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) });
  return undefined;
}

function sendStep(reply: FastifyReply, step: FlowStep, body: Record<string, unknown>) {
  if (step.retryAfterSeconds) reply.header('Retry-After', String(step.retryAfterSeconds));
  return reply.code(step.status).header('Cache-Control', 'no-store').send(body);
}

function sessionJson(step: FlowStep) {
  return step.session ? { session: { token: step.session.token, expires_at: step.session.expiresAt.toISOString(), user_id: step.session.userId } } : {};
}
