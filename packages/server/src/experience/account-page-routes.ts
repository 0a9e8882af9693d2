import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createAccountTokenRepository } from '../db/repositories/account-tokens.js';
import { createAccountSessionRepository } from '../db/repositories/account-sessions.js';
import { createUserRepository } from '../db/repositories/users.js';
import type { RequestContext } from '../identity/account-deps.js';
import { accountKeyFor } from '../identity/account-links.js';
import { MAX_PASSWORD_LENGTH } from '../identity/password-sign-in.js';
import { consumeAccountToken, verifyEmail, type LinkRefusal } from '../identity/email-verification.js';
import { flowService } from '../identity/flows/flow-service.js';
import { FlowError, type Flow, type FlowType } from '../identity/flows/flow-types.js';
import { newPasswordField, SubmittedFieldsSchema } from '../identity/flows/flow-fields.js';
import { flowText, passwordRefusal, textFor, type FlowText, type PageKey } from '../identity/flows/flow-text.js';
import type { Message } from '../identity/flows/flow-ui.js';
import { resetPassword } from '../identity/flows/recovery-flow.js';
import { confirmEmailChange } from '../identity/flows/settings-flow.js';
import { requestLocale, type AccountContexts } from './account-context.js';
import type { CsrfTokens } from './csrf.js';
import { renderFlowPage } from './flow-pages.js';
import { bindLinkToBrowser } from './magic-link-routes.js';
import type { Pages } from './pages.js';

/** Page path → flow type, and the catalog key of each page's title. */
const PAGES: Record<string, { type: FlowType; title: PageKey }> = {
  login: { type: 'login', title: 'title.login' },
  register: { type: 'registration', title: 'title.register' },
  verification: { type: 'verification', title: 'title.verification' },
  recovery: { type: 'recovery', title: 'title.recovery' },
  settings: { type: 'settings', title: 'title.settings' },
  security: { type: 'security', title: 'title.security' },
};

const PageParams = z.object({ tenant: z.string(), page: z.enum(Object.keys(PAGES) as [string, ...string[]]) });
const PageQuery = z.object({ flow: z.string().max(64).optional(), interaction: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  /** Sign in again although signed in (a fresh sign-in before changing sign-in methods); back to the security page after. */
  reauth: z.literal('1').optional() });
const TokenQuery = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });
const FormBody = SubmittedFieldsSchema;

interface Deps { contexts: AccountContexts; csrf: CsrfTokens; pages: Pages }

/**
 * The account pages (`/{tenant}/account/...`): thin — parse, call the flow, render. Without
 * `?flow=` a page starts a flow and redirects to it, so a reload resumes the same flow.
 */
export async function registerAccountPageRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { contexts, csrf, pages } = deps;
  const base = (tenant: string) => `${pages.basePath}/${tenant}/account`;
  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html').header('Cache-Control', 'no-store').send(body);
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const text = flowText(requestLocale(request));
    return html(reply, 404, pages.message(text, text.t('title.page_not_found'), text.t('page.no_such_page')));
  };

  function linksFor(ctx: RequestContext, page: string, flow: Flow): { href: string; text: string }[] {
    const q = flow.interactionUid ? `?interaction=${flow.interactionUid}` : '';
    const b = base(ctx.tenant.id);
    const link = (path: string, key: PageKey) => ({ href: `${b}/${path}${q}`, text: textFor(ctx).t(key) });
    const links: Record<string, { href: string; text: string }[]> = {
      login: [link('recovery', 'nav.forgot_password'), ...(ctx.settings.selfRegistration ? [link('register', 'nav.create_account')] : [])],
      register: [link('login', 'nav.have_account')],
      verification: [link('login', 'nav.back_to_sign_in')],
      recovery: [link('login', 'nav.back_to_sign_in')],
      settings: [{ href: `${b}/security`, text: textFor(ctx).t('nav.security') }, { href: `${b}/consents`, text: textFor(ctx).t('nav.consents') }],
      security: [
        { href: `${b}/login?reauth=1`, text: textFor(ctx).t('nav.sign_in_again') },
        ...(flow.interactionUid ? [{ href: `${pages.basePath}/${ctx.tenant.id}/interaction/${flow.interactionUid}`, text: textFor(ctx).t('nav.continue_to_app') }] : []),
        { href: `${b}/settings`, text: textFor(ctx).t('title.settings') },
      ],
    };
    return links[page] ?? [];
  }

  async function render(reply: FastifyReply, ctx: RequestContext, page: string, flow: Flow, status = 200) {
    const action = `${base(ctx.tenant.id)}/${page}?flow=${flow.id}`;
    const text = textFor(ctx);
    // The settings page says whose account it is.
    const user = (page === 'settings' || page === 'security') && ctx.session ? await createUserRepository(ctx.deps.db).find(ctx.tenant.id, ctx.session.userId) : undefined;
    const name = user ? user.username ?? user.email ?? user.name ?? '' : '';
    // The OpenID Connect sign-in says which application it continues to.
    const clientName = page === 'login' && typeof flow.data.clientName === 'string' ? flow.data.clientName : undefined;
    return html(reply, status, renderFlowPage({
      basePath: pages.basePath, text, title: text.t(PAGES[page]?.title ?? 'title.account'), ui: flow.ui, action,
      ...(name ? { intro: text.t('page.signed_in_as', { userName: name }) } : clientName ? { intro: text.t('login.to_continue', { clientName }) } : {}),
      csrf: csrf.issue(ctx.tenant.id, `flow:${flow.id}`),
      links: linksFor(ctx, page, flow),
      ...((page === 'settings' || page === 'security') && ctx.session
        ? { signOut: { action: `${base(ctx.tenant.id)}/logout`, csrf: csrf.issue(ctx.tenant.id, `logout:${ctx.session.id}`) } } : {}),
    }));
  }

  async function context(request: FastifyRequest, reply: FastifyReply) {
    const params = PageParams.safeParse(request.params);
    const query = PageQuery.safeParse(request.query);
    const ctx = params.success && query.success ? await contexts.forRequest(request, params.data.tenant, 'cookie') : undefined;
    if (!ctx || !params.success || !query.success) {
      notFound(request, reply);
      return undefined;
    }
    return { ctx, page: params.data.page, query: query.data };
  }

  function refused(reply: FastifyReply, ctx: RequestContext, caught: unknown, page: string) {
    if (!(caught instanceof FlowError)) throw caught;
    if (caught.status === 401) return reply.redirect(`${base(ctx.tenant.id)}/login`, 303);
    if (caught.status === 410 || caught.status === 404) return reply.redirect(`${base(ctx.tenant.id)}/${page}`, 303);
    const text = textFor(ctx);
    return html(reply, caught.status, pages.message(text, text.t(PAGES[page]?.title ?? 'title.account'), caught.problem.text));
  }

  app.get('/:tenant/account', async (request, reply) => {
    const tenant = String((request.params as { tenant?: unknown }).tenant ?? '');
    const ctx = await contexts.forRequest(request, tenant, 'cookie');
    if (!ctx) return notFound(request, reply);
    return reply.redirect(`${base(tenant)}/${ctx.session ? 'settings' : 'login'}`, 303);
  });

  app.get('/:tenant/account/:page', async (request, reply) => {
    const loaded = await context(request, reply);
    if (!loaded) return reply;
    const { ctx, page, query } = loaded;
    const type = PAGES[page]!.type;
    try {
      if (!query.flow) {
        if (type === 'login' && ctx.session && !query.interaction && !query.reauth) return reply.redirect(`${base(ctx.tenant.id)}/settings`, 303);
        const flow = await flowService.start(ctx, type, { interactionUid: query.interaction, ...(query.reauth ? { init: { returnTo: 'security' } } : {}) });
        return reply.redirect(`${base(ctx.tenant.id)}/${page}?flow=${flow.id}`, 303);
      }
      return render(reply, ctx, page, await flowService.load(ctx, type, query.flow));
    } catch (caught) {
      return refused(reply, ctx, caught, page);
    }
  });

  app.post('/:tenant/account/:page', async (request, reply) => {
    const loaded = await context(request, reply);
    if (!loaded) return reply;
    const { ctx, page, query } = loaded;
    const body = FormBody.safeParse(request.body ?? {});
    const text = textFor(ctx);
    if (!body.success) return html(reply, 400, pages.message(text, text.t('title.form_invalid'), text.t('page.form_invalid')));
    if (!query.flow || !csrf.verify(ctx.tenant.id, `flow:${query.flow}`, body.data.csrf)) {
      return html(reply, 403, pages.message(text, text.t('title.form_expired'), text.t('page.form_expired')));
    }
    try {
      const flow = await flowService.load(ctx, PAGES[page]!.type, query.flow);
      // A sign-in mail's link completes only in the browser that asked (experience/magic-link-routes.ts).
      const binding = page === 'login' ? bindLinkToBrowser(contexts, request, ctx) : undefined;
      const { flow: next, step } = await flowService.submit(ctx, flow, body.data);
      if (step.retryAfterSeconds) reply.header('Retry-After', String(step.retryAfterSeconds));
      const cookies = [
        ...(step.session ? [contexts.setSessionCookie(ctx.tenant.id, step.session.token, step.session.expiresAt, ctx.now)]
          : step.signedOut ? [contexts.clearSessionCookie(ctx.tenant.id)] : []),
        ...(step.rememberDevice ? [contexts.setDeviceCookie(ctx.tenant.id, step.rememberDevice.value, step.rememberDevice.expiresAt, ctx.now)] : []),
        ...(binding?.cookiesAfter(next) ?? []),
      ];
      if (cookies.length) reply.header('Set-Cookie', cookies);
      const interaction = next.interactionUid ? `?interaction=${next.interactionUid}` : '';
      // Signed in, but the application requires a second factor the user has not set up: the security page first.
      if (step.session && step.enrolmentRequired) return reply.redirect(`${base(ctx.tenant.id)}/security${interaction}`, 303);
      // (The security page stays put: its "Continue to the application" link goes back when the user is done.)
      if (step.session && next.interactionUid && page !== 'security') return reply.redirect(`${pages.basePath}/${ctx.tenant.id}/interaction/${next.interactionUid}`, 303);
      if (step.session && page === 'login' && next.data.returnTo === 'security') return reply.redirect(`${base(ctx.tenant.id)}/security`, 303);
      if (step.session && page !== 'settings' && page !== 'security') return reply.redirect(`${base(ctx.tenant.id)}/settings`, 303);
      return render(reply, ctx, page, next, step.status);
    } catch (caught) {
      return refused(reply, ctx, caught, page);
    }
  });

  registerLinkRoutes(app, deps, { base, html, notFound });
}

type Helpers = { base: (t: string) => string; html: (r: FastifyReply, s: number, b: string) => FastifyReply;
  notFound: (q: FastifyRequest, r: FastifyReply) => FastifyReply };

/** Where emailed links land: verify, reset (a form first: link scanners only GET), unblock, confirm a new email, sign out. */
function registerLinkRoutes(app: FastifyInstance, deps: Deps, h: Helpers): void {
  const { contexts, csrf, pages } = deps;
  async function withToken(request: FastifyRequest, reply: FastifyReply) {
    const tenant = String((request.params as { tenant?: unknown }).tenant ?? '');
    const ctx = await contexts.forRequest(request, tenant, 'cookie');
    if (!ctx) { h.notFound(request, reply); return undefined; }
    const query = TokenQuery.safeParse(request.query);
    const bodyToken = (request.body as { token?: unknown } | undefined)?.token;
    const token = query.success ? query.data.token : typeof bodyToken === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(bodyToken) ? bodyToken : undefined;
    if (!token) { invalid(reply, ctx, 'link.invalid'); return undefined; }
    return { ctx, token };
  }
  const done = (reply: FastifyReply, ctx: RequestContext, title: PageKey, message: PageKey, vars: Record<string, string> = {}) => {
    const text = textFor(ctx);
    return h.html(reply, 200, pages.message(text, text.t(title), text.t(message, vars), { href: `${h.base(ctx.tenant.id)}/login`, text: text.t('nav.sign_in') }));
  };
  function invalid(reply: FastifyReply, ctx: RequestContext, code: LinkRefusal) {
    const text = textFor(ctx);
    return h.html(reply, 400, pages.message(text, text.t('title.link_invalid'), text.t(code)));
  }

  app.get('/:tenant/account/verification/confirm', async (request, reply) => {
    const loaded = await withToken(request, reply);
    if (!loaded) return reply;
    const result = await consumeAccountToken(loaded.ctx, 'verify_email', loaded.token);
    if (!result.ok) return invalid(reply, loaded.ctx, result.code);
    if (!(await verifyEmail(loaded.ctx, result))) return invalid(reply, loaded.ctx, 'link.superseded');
    return done(reply, loaded.ctx, 'title.email_verified', 'page.email_verified');
  });

  const resetForm = (ctx: RequestContext, token: string, fieldError?: Message) => {
    const text = textFor(ctx);
    return renderFlowPage({
      basePath: pages.basePath, text, title: text.t('title.choose_password'), action: `${h.base(ctx.tenant.id)}/recovery/reset`,
      csrf: csrf.issue(ctx.tenant.id, `reset:${token}`),
      ui: { messages: [], submitLabel: text.t('button.set_new_password'), nodes: [
        { name: 'token', type: 'hidden', label: '', required: true, value: token, messages: [] },
        { ...newPasswordField(text, 'password', 'label.new_password'), messages: fieldError ? [fieldError] : [] },
      ] },
    });
  };

  app.get('/:tenant/account/recovery/reset', async (request, reply) => {
    const loaded = await withToken(request, reply);
    if (!loaded) return reply;
    const usable = await createAccountTokenRepository(loaded.ctx.deps.db).findUsable(loaded.ctx.tenant.id, 'reset_password', loaded.token, loaded.ctx.now);
    if (!usable) return invalid(reply, loaded.ctx, 'link.invalid');
    return h.html(reply, 200, resetForm(loaded.ctx, loaded.token));
  });

  app.post('/:tenant/account/recovery/reset', async (request, reply) => {
    const loaded = await withToken(request, reply);
    if (!loaded) return reply;
    const { ctx, token } = loaded;
    const body = FormBody.safeParse(request.body ?? {});
    if (!body.success || !csrf.verify(ctx.tenant.id, `reset:${token}`, body.data.csrf)) {
      const text = textFor(ctx);
      return h.html(reply, 403, pages.message(text, text.t('title.form_expired'), text.t('page.form_expired_link')));
    }
    const password = body.data.password ?? '';
    const text: FlowText = textFor(ctx);
    if (password === '' || Buffer.byteLength(password) > MAX_PASSWORD_LENGTH) {
      return h.html(reply, 400, resetForm(ctx, token, password ? text.error('password.too_long.bytes', { max: MAX_PASSWORD_LENGTH }) : text.error('field.required')));
    }
    // Check the policy before spending the link, then consume it atomically: of two concurrent submits one wins.
    const pending = await createAccountTokenRepository(ctx.deps.db).findUsable(ctx.tenant.id, 'reset_password', token, ctx.now);
    if (!pending) return invalid(reply, ctx, 'link.invalid');
    const owner = await createUserRepository(ctx.deps.db).find(ctx.tenant.id, pending.userId);
    if (owner) {
      const policy = await ctx.deps.checkPassword(password, { settings: ctx.settings.passwordPolicy, identifiers: [owner.username, owner.email] });
      if (!policy.ok) return h.html(reply, 400, resetForm(ctx, token, passwordRefusal(text, ctx, policy, password)));
    }
    const result = await consumeAccountToken(ctx, 'reset_password', token);
    if (!result.ok) return invalid(reply, ctx, result.code);
    const outcome = await resetPassword(ctx, result.user, password);
    if (!outcome.ok) return h.html(reply, 400, resetForm(ctx, token, passwordRefusal(text, ctx, outcome, password)));
    reply.header('Set-Cookie', contexts.clearSessionCookie(ctx.tenant.id));
    return done(reply, ctx, 'title.password_changed', 'page.password_changed');
  });

  app.get('/:tenant/account/unblock', async (request, reply) => {
    const loaded = await withToken(request, reply);
    if (!loaded) return reply;
    const result = await consumeAccountToken(loaded.ctx, 'unblock', loaded.token);
    if (!result.ok) return invalid(reply, loaded.ctx, result.code);
    await loaded.ctx.deps.limits.unblockAccount(loaded.ctx.tenant.id, accountKeyFor(result.user, ''));
    await loaded.ctx.deps.audit.write({ tenantId: loaded.ctx.tenant.id, type: 'signin.unblocked', actor: result.user.id, subject: result.user.id,
      correlationId: loaded.ctx.correlationId, data: { via: 'email_link', ip: loaded.ctx.ip } });
    return done(reply, loaded.ctx, 'title.signin_unblocked', 'page.signin_unblocked');
  });

  app.get('/:tenant/account/settings/email/confirm', async (request, reply) => {
    const loaded = await withToken(request, reply);
    if (!loaded) return reply;
    const result = await consumeAccountToken(loaded.ctx, 'change_email', loaded.token);
    if (!result.ok) return invalid(reply, loaded.ctx, result.code);
    const email = String(result.token.data.email ?? '');
    if (!email || !(await confirmEmailChange(loaded.ctx, result.user, email))) return invalid(reply, loaded.ctx, 'link.invalid');
    reply.header('Set-Cookie', contexts.clearSessionCookie(loaded.ctx.tenant.id));
    return done(reply, loaded.ctx, 'title.email_changed', 'page.email_changed', { email });
  });

  app.post('/:tenant/account/logout', async (request, reply) => {
    const tenant = String((request.params as { tenant?: unknown }).tenant ?? '');
    const ctx = await contexts.forRequest(request, tenant, 'cookie');
    if (!ctx) return h.notFound(request, reply);
    const body = FormBody.safeParse(request.body ?? {});
    if (ctx.session && body.success && csrf.verify(ctx.tenant.id, `logout:${ctx.session.id}`, body.data.csrf)) {
      await createAccountSessionRepository(ctx.deps.db).revoke(ctx.session.id, ctx.now);
      await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'session.revoked', actor: ctx.session.userId, subject: ctx.session.userId, correlationId: ctx.correlationId });
    }
    reply.header('Set-Cookie', contexts.clearSessionCookie(ctx.tenant.id));
    return reply.redirect(`${h.base(ctx.tenant.id)}/login`, 303);
  });
}
