import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import { isValidTenantId } from '../db/repositories/tenants.js';
import { signInWithPassword } from '../identity/password-sign-in.js';
import { signInRefusal } from '../identity/flows/login-flow.js';
import { flowText, type FlowText } from '../identity/flows/flow-text.js';
import { startSession } from '../identity/sessions.js';
import { requestLocale, type AccountContexts } from './account-context.js';
import type { ProviderRegistry, TenantRuntime } from '../provider/provider-registry.js';
import type { Services } from '../server/services.js';
import type { CsrfTokens } from './csrf.js';
import { describePermissions } from './permissions.js';
import type { Pages } from './pages.js';

const Params = z.object({ tenant: z.string(), uid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
// No low maximum on passwords (NIST SP 800-63B §5.1.1.2): 4096 only bounds the work per request.
const LoginBody = z.object({ csrf: z.string(), login: z.string().trim().min(1).max(1024), password: z.string().min(1).max(4096) });
const CsrfBody = z.object({ csrf: z.string() });


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

  const accountLinks = (runtime: TenantRuntime, tenantId: string, uid: string) => ({
    recoveryUrl: `${pages.basePath}/${tenantId}/account/recovery?interaction=${uid}`,
    registerUrl: runtime.snapshot.tenant.accountSettings.selfRegistration
      ? `${pages.basePath}/${tenantId}/account/register?interaction=${uid}` : undefined,
  });

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
    const token = csrf.issue(tenantId, uid);
    const name = await clientName(runtime, details.params.client_id, text);
    reply.type('text/html');
    if (details.prompt.name === 'login') {
      // Single sign-on from the account session, unless the client asked for a fresh sign-in (prompt=login, max_age…).
      const ctx = await contexts.forRequest(request, tenantId, 'cookie');
      const reasons = (details.prompt.reasons ?? []) as string[];
      if (ctx?.session && reasons.every((reason) => reason === 'no_session')) {
        return finish(reply, request, runtime, { login: { accountId: ctx.session.userId, amr: ctx.session.amr,
          ts: Math.floor(ctx.session.authenticatedAt.getTime() / 1000) } });
      }
      return pages.login(text, { ...actions(tenantId, uid), ...accountLinks(runtime, tenantId, uid), csrf: token, clientName: name, login: String(details.params.login_hint ?? '') });
    }
    const user = details.session?.accountId ? await services.users.find(tenantId, details.session.accountId) : undefined;
    return pages.consent(text, {
      ...actions(tenantId, uid), csrf: token, clientName: name,
      userName: user?.name ?? user?.username ?? user?.email ?? undefined,
      permissions: describePermissions(details.prompt.details, runtime.snapshot),
    });
  });

  app.post('/:tenant/interaction/:uid', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { runtime, details, tenantId, uid, text } = loaded;
    if (!csrf.verify(tenantId, uid, (request.body as { csrf?: unknown } | undefined)?.csrf)) {
      return messagePage(reply, text, 403, 'title.form_expired', 'page.form_expired');
    }
    const clientId = String(details.params.client_id);
    if (details.prompt.name === 'login') {
      const body = LoginBody.safeParse(request.body);
      const name = await clientName(runtime, clientId, text);
      if (!body.success) {
        return reply.code(400).type('text/html').send(pages.login(text, {
          ...actions(tenantId, uid), csrf: csrf.issue(tenantId, uid), clientName: name, error: text.t('login.enter_credentials'),
        }));
      }
      const ctx = await contexts.forRequest(request, tenantId, 'cookie');
      if (!ctx) return messagePage(reply, text, 404, 'title.page_not_found', 'page.signin_link_invalid');
      const result = await signInWithPassword(ctx, body.data.login, body.data.password, clientId);
      if (!result.ok) {
        const refusal = signInRefusal(result, text);
        if (refusal.retryAfterSeconds) reply.header('Retry-After', String(refusal.retryAfterSeconds));
        return reply.code(refusal.status).type('text/html').send(pages.login(text, {
          ...actions(tenantId, uid), ...accountLinks(runtime, tenantId, uid), csrf: csrf.issue(tenantId, uid), clientName: name, login: body.data.login,
          error: refusal.message.text,
        }));
      }
      const session = await startSession(ctx, result.user, ['pwd'], { clientId, signIn: { method: 'password' } });
      reply.header('Set-Cookie', contexts.setSessionCookie(tenantId, session.token, session.expiresAt, ctx.now));
      return finish(reply, request, runtime, { login: { accountId: result.user.id, amr: ['pwd'] } });
    }

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
