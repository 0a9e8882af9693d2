import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isStorableText } from '../db/oidc-adapter.js';
import { sendProblem } from '../http/problem.js';
import type { RequestContext } from '../identity/account-deps.js';
import { listUserConsents, revokeUserConsent, type UserConsent } from '../identity/consents.js';
import { flowText, textFor, type FlowText, type PageKey } from '../identity/flows/flow-text.js';
import { requestLocale, type AccountContexts } from './account-context.js';
import type { CsrfTokens } from './csrf.js';
import { escapeHtml, renderPage } from './html.js';
import type { Pages } from './pages.js';

const TenantParams = z.object({ tenant: z.string() });
const ClientParams = TenantParams.extend({ clientId: z.string().min(1).refine(isStorableText) });
const RevokeBody = z.object({ csrf: z.string(), client_id: z.string().min(1).refine(isStorableText) });

interface Deps { contexts: AccountContexts; csrf: CsrfTokens; pages: Pages }

/**
 * What a signed-in user allowed applications to do, and withdrawing it: the page
 * `/{tenant}/account/consents` (cookie session, CSRF-protected form) and the JSON API
 * `GET /{tenant}/api/consents`, `DELETE /{tenant}/api/consents/{clientId}` (bearer or cookie session;
 * a cross-site DELETE needs a CORS preflight these routes never approve). See docs/consent.md.
 */
export async function registerConsentRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  registerConsentPage(app, deps);
  registerConsentApi(app, deps.contexts);
}

function registerConsentPage(app: FastifyInstance, deps: Deps): void {
  const { contexts, csrf, pages } = deps;
  const base = (tenant: string) => `${pages.basePath}/${tenant}/account`;
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html').header('Cache-Control', 'no-store').send(body);

  async function signedIn(request: FastifyRequest, reply: FastifyReply) {
    const params = TenantParams.safeParse(request.params);
    const ctx = params.success ? await contexts.forRequest(request, params.data.tenant, 'cookie') : undefined;
    if (!ctx) {
      const text = flowText(requestLocale(request));
      html(reply, 404, pages.message(text, text.t('title.page_not_found'), text.t('page.no_such_page')));
      return undefined;
    }
    if (!ctx.session) {
      reply.redirect(`${base(ctx.tenant.id)}/login`, 303);
      return undefined;
    }
    return { ctx, session: ctx.session };
  }

  const render = async (reply: FastifyReply, ctx: RequestContext, userId: string, sessionId: string, status = 200, notice?: { type: 'success' | 'error'; text: string }) => {
    const consents = await listUserConsents(ctx.deps.db, ctx.tenant.id, userId);
    return html(reply, status, consentsPage({
      basePath: pages.basePath, text: textFor(ctx), consents, notice,
      action: `${base(ctx.tenant.id)}/consents`, settingsUrl: `${base(ctx.tenant.id)}/settings`,
      csrf: csrf.issue(ctx.tenant.id, `consents:${sessionId}`),
    }));
  };

  app.get('/:tenant/account/consents', async (request, reply) => {
    const loaded = await signedIn(request, reply);
    if (!loaded) return reply;
    return render(reply, loaded.ctx, loaded.session.userId, loaded.session.id);
  });

  app.post('/:tenant/account/consents', async (request, reply) => {
    const loaded = await signedIn(request, reply);
    if (!loaded) return reply;
    const { ctx, session } = loaded;
    const text = textFor(ctx);
    const body = RevokeBody.safeParse(request.body ?? {});
    if (!body.success || !csrf.verify(ctx.tenant.id, `consents:${session.id}`, body.data.csrf)) {
      return html(reply, 403, pages.message(text, text.t('title.form_expired'), text.t('page.form_expired')));
    }
    const before = (await listUserConsents(ctx.deps.db, ctx.tenant.id, session.userId)).find((c) => c.clientId === body.data.client_id);
    const revoked = before
      ? await revokeUserConsent(ctx.deps.db, ctx.tenant.id, session.userId, body.data.client_id, { correlationId: ctx.correlationId })
      : 0;
    const notice = revoked && before
      ? { type: 'success' as const, text: text.t('consents.revoked', { clientName: before.applicationName }) }
      : { type: 'error' as const, text: text.t('consents.not_found') };
    return render(reply, ctx, session.userId, session.id, revoked ? 200 : 404, notice);
  });
}

function registerConsentApi(app: FastifyInstance, contexts: AccountContexts): void {
  /** The session from `Authorization: Bearer`, else from the session cookie. */
  async function signedIn(request: FastifyRequest, reply: FastifyReply, tenant: string) {
    const bearer = await contexts.forRequest(request, tenant, 'bearer');
    if (!bearer) {
      sendProblem(reply, { status: 404, code: 'tenant.not_found', title: 'Unknown tenant' });
      return undefined;
    }
    const ctx = bearer.session || request.headers.authorization ? bearer : await contexts.forRequest(request, tenant, 'cookie');
    if (!ctx?.session) {
      sendProblem(reply, { status: 401, code: 'session.required', title: 'No valid session token' });
      return undefined;
    }
    return { ctx, session: ctx.session };
  }

  app.get('/:tenant/api/consents', async (request, reply) => {
    const params = TenantParams.parse(request.params);
    const loaded = await signedIn(request, reply, params.tenant);
    if (!loaded) return reply;
    const consents = await listUserConsents(loaded.ctx.deps.db, loaded.ctx.tenant.id, loaded.session.userId);
    return reply.header('Cache-Control', 'no-store').send({ consents: consents.map(consentJson) });
  });

  app.delete('/:tenant/api/consents/:clientId', async (request, reply) => {
    const params = ClientParams.safeParse(request.params);
    const loaded = await signedIn(request, reply, String((request.params as { tenant?: unknown }).tenant ?? ''));
    if (!loaded) return reply;
    const revoked = params.success
      ? await revokeUserConsent(loaded.ctx.deps.db, loaded.ctx.tenant.id, loaded.session.userId, params.data.clientId,
        { correlationId: loaded.ctx.correlationId })
      : 0;
    if (!revoked) return sendProblem(reply, { status: 404, code: 'consent.not_found', title: 'No consent to this application' });
    return reply.code(204).send();
  });
}

function consentJson(consent: UserConsent) {
  return {
    client_id: consent.clientId, application_name: consent.applicationName, grant_id: consent.grantId, scopes: consent.scopes,
    apis: consent.apis.map((api) => ({ api: api.api, api_name: api.apiName, scopes: api.scopes })),
    ...(consent.createdAt ? { created_at: consent.createdAt.toISOString() } : {}),
  };
}

/** What an OpenID Connect scope allows, in the page's language; the scope's name when the catalog has no words for it. */
function oidcScopeText(text: FlowText, scope: string): string {
  const key = `scope.${scope}`;
  return ['openid', 'profile', 'email', 'offline_access'].includes(scope) ? text.t(key as PageKey) : scope;
}

interface ConsentsPageModel {
  basePath: string;
  text: FlowText;
  consents: UserConsent[];
  action: string;
  csrf: string;
  settingsUrl: string;
  notice: { type: 'success' | 'error'; text: string } | undefined;
}

function consentsPage(model: ConsentsPageModel): string {
  const { text } = model;
  const item = (description: string, name: string) =>
    `<li><strong>${escapeHtml(description)}</strong> <span class="muted">(${escapeHtml(name)})</span></li>`;
  const sections = model.consents.map((consent) => {
    const permissions = [
      ...consent.scopes.map((scope) => item(oidcScopeText(text, scope), scope)),
      ...consent.apis.flatMap((api) => api.scopes.map((scope) => item(scope.description, `${api.api}/${scope.name}`))),
    ].join('\n');
    return `<section><h2>${escapeHtml(consent.applicationName)}</h2>
<ul class="scopes">${permissions}</ul>
<form method="post" action="${escapeHtml(model.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
<input type="hidden" name="client_id" value="${escapeHtml(consent.clientId)}">
<button type="submit" class="danger">${escapeHtml(text.t('button.revoke'))}</button>
</form></section>`;
  }).join('\n');
  const notice = model.notice
    ? `<p class="${model.notice.type}" role="${model.notice.type === 'error' ? 'alert' : 'status'}">${escapeHtml(model.notice.text)}</p>` : '';
  return renderPage({
    basePath: model.basePath,
    lang: text.locale,
    title: text.t('title.consents'),
    body: `<h1>${escapeHtml(text.t('title.consents'))}</h1>
${notice}
<p class="muted">${escapeHtml(text.t(model.consents.length ? 'consents.intro' : 'consents.none'))}</p>
${sections}
<p class="links"><a href="${escapeHtml(model.settingsUrl)}">${escapeHtml(text.t('nav.settings'))}</a></p>`,
  });
}
