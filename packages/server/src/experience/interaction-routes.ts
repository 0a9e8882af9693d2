import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import { isValidTenantId } from '../db/repositories/tenants.js';
import type { RequestContext } from '../identity/account-deps.js';
import { acrFor, assuranceNeed, isSatisfied, mfaFor } from '../identity/factors/assurance.js';
import { hasStrongFactor } from '../identity/factors/registry.js';
import { isRememberedDevice } from '../identity/factors/remembered-device.js';
import { flowService } from '../identity/flows/flow-service.js';
import { createFlowRepository } from '../db/repositories/flows.js';
import { flowText, type FlowText } from '../identity/flows/flow-text.js';
import { requestLocale, type AccountContexts } from './account-context.js';
import type { ProviderRegistry, TenantRuntime } from '../provider/provider-registry.js';
import type { Services } from '../server/services.js';
import type { CsrfTokens } from './csrf.js';
import { describePermissions } from './permissions.js';
import type { Pages } from './pages.js';

const Params = z.object({ tenant: z.string(), uid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const CsrfBody = z.object({ csrf: z.string() });

type Details = Awaited<ReturnType<TenantRuntime['provider']['interactionDetails']>>;


interface Deps {
  services: Services;
  registry: ProviderRegistry;
  csrf: CsrfTokens;
  pages: Pages;
  contexts: AccountContexts;
}

/** Sign-in and consent pages that complete oidc-provider interactions. Thin: parse, call identity, render. */
export async function registerInteractionRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { services, registry, csrf, pages, contexts } = deps;

  /** A one-message page in the request's language. */
  const messagePage = (reply: FastifyReply, text: FlowText, status: number, title: Parameters<FlowText['t']>[0], message: Parameters<FlowText['t']>[0]) =>
    reply.code(status).type('text/html').send(pages.message(text, text.t(title), text.t(message)));

  async function load(request: FastifyRequest, reply: FastifyReply) {
    const text = flowText(requestLocale(request));
    const params = Params.safeParse(request.params);
    const runtime = params.success && isValidTenantId(params.data.tenant) ? await registry.get(params.data.tenant) : undefined;
    if (!params.success || !runtime) {
      messagePage(reply, text, 404, 'title.page_not_found', 'page.signin_link_invalid');
      return undefined;
    }
    try {
      const details = await runtime.provider.interactionDetails(request.raw, reply.raw);
      if (details.uid !== params.data.uid) throw new Error('interaction mismatch');
      return { runtime, details, tenantId: params.data.tenant, uid: params.data.uid, text };
    } catch {
      messagePage(reply, text, 400, 'title.signin_expired', 'page.signin_expired');
      return undefined;
    }
  }

  const actions = (tenantId: string, uid: string) => ({
    action: `${pages.basePath}/${tenantId}/interaction/${uid}`,
    abortAction: `${pages.basePath}/${tenantId}/interaction/${uid}/abort`,
  });

  async function clientName(runtime: TenantRuntime, clientId: unknown, text: FlowText): Promise<string> {
    const app = typeof clientId === 'string' ? await runtime.snapshot.findApplication(clientId) : undefined;
    return app?.name ?? (clientId === undefined || clientId === null ? text.t('client.unnamed') : String(clientId));
  }

  async function finish(reply: FastifyReply, request: FastifyRequest, runtime: TenantRuntime, result: InteractionResults) {
    const returnTo = await runtime.provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.redirect(returnTo, 303);
  }

  app.get('/:tenant/interaction/:uid', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { runtime, details, tenantId, uid, text } = loaded;
    reply.type('text/html');
    if (details.prompt.name === 'login') {
      const ctx = await contexts.forRequest(request, tenantId, 'cookie');
      if (!ctx) return messagePage(reply, text, 404, 'title.page_not_found', 'page.signin_link_invalid');
      return signIn(reply, request, runtime, ctx, details, uid);
    }
    const token = csrf.issue(tenantId, uid);
    const name = await clientName(runtime, details.params.client_id, text);
    const user = details.session?.accountId ? await services.users.find(tenantId, details.session.accountId) : undefined;
    return pages.consent(text, {
      ...actions(tenantId, uid), csrf: token, clientName: name,
      userName: user?.name ?? user?.username ?? user?.email ?? undefined,
      permissions: describePermissions(details.prompt.details, runtime.snapshot),
    });
  });

  /**
   * The sign-in step of an OpenID Connect request. The account session (the account pages'
   * cookie) signs the user in without a form when it is enough: it exists, is fresh where the
   * client asked for a new sign-in (prompt=login, max_age: the user signed in through this
   * request's own login flow), and carries the factors the policy and acr_values ask for (or a
   * remembered device covers the policy). A session short of factors goes to the login flow's
   * second step (step-up); no usable session, to the login flow's first. The flow comes back here.
   */
  async function signIn(reply: FastifyReply, request: FastifyRequest, runtime: TenantRuntime, ctx: RequestContext, details: Details, uid: string) {
    const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : undefined;
    const acrValues = typeof details.params.acr_values === 'string' ? details.params.acr_values : undefined;
    const flowInit = async () => ({ ...(clientId ? { clientId } : {}), ...(acrValues ? { acrValues } : {}),
      clientName: await clientName(runtime, clientId, flowText(ctx.uiLocale)) });
    const session = ctx.session;
    const user = session && await services.users.find(ctx.tenant.id, session.userId);
    const reasons = (details.prompt.reasons ?? []) as string[];
    const needsFresh = reasons.filter((reason) => reason !== 'no_session' && reason !== 'assurance_unmet');
    const usable = session && user && (!needsFresh.length
      || (needsFresh.every((reason) => ['login_prompt', 'max_age', 'essential_acr', 'essential_acrs'].includes(reason))
        && await createFlowRepository(ctx.deps.db).signedInThrough(ctx.tenant.id, uid, session.userId)));
    if (usable) {
      const mfa = await mfaFor(ctx, clientId);
      const need = assuranceNeed(mfa, acrValues, await hasStrongFactor(ctx, mfa.factors, user));
      const remembered = !isSatisfied(need, session.amr) && isSatisfied(need, session.amr, true) && await isRememberedDevice(ctx, user);
      if (isSatisfied(need, session.amr, remembered)) {
        return finish(reply, request, runtime, { login: { accountId: session.userId, amr: session.amr, acr: acrFor(session.amr),
          ts: Math.floor(session.authenticatedAt.getTime() / 1000) } });
      }
      await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.step_up_required', actor: user.id, subject: user.id, clientId: clientId ?? null,
        correlationId: ctx.correlationId, data: { amr: session.amr, acrValues: acrValues ?? null } });
      const flow = await flowService.start(ctx, 'login', { interactionUid: uid,
        init: { ...await flowInit(), amr: session.amr, userId: user.id, upgradesSession: session.id } });
      // Nothing enrolled that could step the session up: set a factor up first, then come back.
      if (!flow.ui.nodes.length) return reply.redirect(`${pages.basePath}/${ctx.tenant.id}/account/security?interaction=${uid}`, 303);
      return reply.redirect(`${pages.basePath}/${ctx.tenant.id}/account/login?flow=${flow.id}`, 303);
    }
    const loginHint = typeof details.params.login_hint === 'string' ? details.params.login_hint.slice(0, 1024) : undefined;
    const flow = await flowService.start(ctx, 'login', { interactionUid: uid, init: { ...await flowInit(), ...(loginHint ? { loginHint } : {}) } });
    return reply.redirect(`${pages.basePath}/${ctx.tenant.id}/account/login?flow=${flow.id}`, 303);
  }

  app.post('/:tenant/interaction/:uid', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { runtime, details, tenantId, uid, text } = loaded;
    if (!csrf.verify(tenantId, uid, (request.body as { csrf?: unknown } | undefined)?.csrf)) {
      return messagePage(reply, text, 403, 'title.form_expired', 'page.form_expired');
    }
    const clientId = String(details.params.client_id);
    if (details.prompt.name === 'consent' && details.session?.accountId) {
      const { Grant } = runtime.provider;
      const grant = details.grantId
        ? await Grant.find(details.grantId)
        : new Grant({ accountId: details.session.accountId, clientId });
      if (!grant) return messagePage(reply, text, 400, 'title.signin_expired', 'page.start_again');
      const missing = details.prompt.details as {
        missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '));
      }
      const grantId = await grant.save();
      return finish(reply, request, runtime, { consent: { grantId } });
    }
    return messagePage(reply, text, 400, 'title.unexpected_step', 'page.start_again');
  });

  app.post('/:tenant/interaction/:uid/abort', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const body = CsrfBody.safeParse(request.body);
    if (!body.success || !csrf.verify(loaded.tenantId, loaded.uid, body.data.csrf)) {
      return messagePage(reply, loaded.text, 403, 'title.form_expired', 'page.form_expired');
    }
    // error_description is for the application's developers (RFC 6749 §4.1.2.1), so it stays English.
    return finish(reply, request, loaded.runtime, { error: 'access_denied', error_description: 'The user cancelled the sign-in or denied access.' });
  });
}
