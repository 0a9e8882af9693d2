import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccountToken } from '../db/repositories/account-tokens.js';
import type { RequestContext } from '../identity/account-deps.js';
import { EMAIL_CODE_STATES } from '../identity/factors/email-code.js';
import { approveLink, findSignInLink, isSameBrowser, LINK_BINDING_COOKIE, newLinkBinding, SIGN_IN_MAIL_LIFETIME_SECONDS } from '../identity/factors/email-link.js';
import { flowService } from '../identity/flows/flow-service.js';
import { FlowError, type Flow, type FlowStep } from '../identity/flows/flow-types.js';
import { textFor, type PageKey } from '../identity/flows/flow-text.js';
import { field, type Node } from '../identity/flows/flow-ui.js';
import type { AccountContexts } from './account-context.js';
import { readCookie, sessionCookie } from './cookies.js';
import type { CsrfTokens } from './csrf.js';
import { renderFlowPage } from './flow-pages.js';
import type { Pages } from './pages.js';

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;
const BINDING = /^[A-Za-z0-9_-]{43}$/;
const Params = z.object({ tenant: z.string() });
const Body = z.object({ csrf: z.string().max(200).optional(), token: z.string().regex(TOKEN), action: z.string().max(20).optional() });

interface Deps { contexts: AccountContexts; csrf: CsrfTokens; pages: Pages }

/** The cookie that binds a sign-in mail to this browser: HttpOnly, the tenant's paths, a little longer than the link lives. */
function bindingCookie(contexts: AccountContexts, ctx: RequestContext, value: string): string {
  return sessionCookie({ name: LINK_BINDING_COOKIE, value, path: contexts.cookiePath(ctx.tenant.id), secure: ctx.deps.publicUrl.startsWith('https:'),
    maxAgeSeconds: SIGN_IN_MAIL_LIFETIME_SECONDS + 300 });
}

/**
 * For a sign-in page submission: gives the request this browser's binding value (the cookie's,
 * else a new random one) and, once a sign-in mail was sent, the cookie to set. A link opened in
 * a browser with this cookie completes the sign-in there; elsewhere it can only be approved.
 */
export function bindLinkToBrowser(contexts: AccountContexts, request: FastifyRequest, ctx: RequestContext): { cookiesAfter(next: Flow): string[] } {
  const existing = readCookie(request.headers.cookie, LINK_BINDING_COOKIE);
  const value = existing && BINDING.test(existing) ? existing : newLinkBinding();
  ctx.linkBinding = value;
  return { cookiesAfter: (next) => (next.state === EMAIL_CODE_STATES.sent ? [bindingCookie(contexts, ctx, value)] : []) };
}

/**
 * The magic link of a sign-in mail, `/{tenant}/account/login/link?token=…`. GET only shows a
 * page (mail scanners prefetch links); POST acts: in the browser that asked, it completes the
 * sign-in like the code would; in another, it asks "Approve sign-in on the other device?" and
 * approving lets the asking browser continue, without signing this one in.
 */
export async function registerMagicLinkRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const { contexts, csrf, pages } = deps;
  const base = (tenant: string) => `${pages.basePath}/${tenant}/account`;
  const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html').header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'no-referrer').send(body);
  const message = (reply: FastifyReply, ctx: RequestContext, status: number, title: PageKey, text: string) =>
    html(reply, status, pages.message(textFor(ctx), textFor(ctx).t(title), text, { href: `${base(ctx.tenant.id)}/login`, text: textFor(ctx).t('nav.sign_in') }));

  async function load(request: FastifyRequest, reply: FastifyReply, token: string | undefined) {
    const params = Params.safeParse(request.params);
    const ctx = params.success ? await contexts.forRequest(request, params.data.tenant, 'cookie') : undefined;
    if (!ctx) {
      reply.code(404).type('text/plain').send('Not found');
      return undefined;
    }
    ctx.linkBinding = readCookie(request.headers.cookie, LINK_BINDING_COOKIE);
    const found = token && TOKEN.test(token) ? await findSignInLink(ctx, token) : {};
    if (!found.usable || !token) {
      // A used, expired, superseded or unknown link changes nothing (ASVS V2.5.x); audited for the owner when known.
      await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.failed', outcome: 'failure', actor: null, subject: found.userId ?? null,
        correlationId: ctx.correlationId, data: { method: 'email_code', reason: found.userId ? 'link_used_or_expired' : 'link_unknown', ip: ctx.ip } });
      message(reply, ctx, 400, 'title.link_invalid', textFor(ctx).t('link.invalid'));
      return undefined;
    }
    return { ctx, token, link: found.usable };
  }

  function confirmPage(reply: FastifyReply, ctx: RequestContext, token: string, link: AccountToken) {
    const text = textFor(ctx);
    const same = isSameBrowser(link, ctx.linkBinding);
    const hidden = (name: string, value: string): Node => field(name, 'hidden', '', { value });
    const asked = typeof link.data.requestedAt === 'string' ? new Date(link.data.requestedAt) : undefined;
    const device = typeof link.data.userAgent === 'string' && link.data.userAgent ? link.data.userAgent : text.t('signin_link.unknown_device');
    const time = asked ? new Intl.DateTimeFormat(text.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(asked) + ' UTC' : '';
    const ui = same
      ? { nodes: [hidden('token', token), hidden('action', 'sign_in')], messages: [text.info('signin_link.confirm')], submitLabel: text.t('button.sign_in') }
      : { nodes: [hidden('token', token), hidden('action', 'approve')], submitLabel: text.t('button.signin_link_approve'),
        messages: [text.info('signin_link.other_device', { device, time }), text.info('signin_link.approve_question')] };
    return html(reply, 200, renderFlowPage({ basePath: pages.basePath, text, title: text.t('title.signin_link'), ui,
      action: `${base(ctx.tenant.id)}/login/link`, csrf: csrf.issue(ctx.tenant.id, `signin-link:${token}`) }));
  }

  app.get('/:tenant/account/login/link', async (request, reply) => {
    const loaded = await load(request, reply, (request.query as { token?: unknown }).token as string | undefined);
    if (!loaded) return reply;
    return confirmPage(reply, loaded.ctx, loaded.token, loaded.link);
  });

  app.post('/:tenant/account/login/link', async (request, reply) => {
    const body = Body.safeParse(request.body ?? {});
    const loaded = await load(request, reply, body.success ? body.data.token : undefined);
    if (!loaded || !body.success) return reply;
    const { ctx, token, link } = loaded;
    if (!csrf.verify(ctx.tenant.id, `signin-link:${token}`, body.data.csrf)) {
      return message(reply, ctx, 403, 'title.form_expired', textFor(ctx).t('page.form_expired_link'));
    }
    if (isSameBrowser(link, ctx.linkBinding)) return complete(reply, ctx, token, link);
    if (body.data.action !== 'approve') return confirmPage(reply, ctx, token, link);
    if (!(await approveLink(ctx, link))) return message(reply, ctx, 400, 'title.link_invalid', textFor(ctx).t('link.invalid'));
    await ctx.deps.audit.write({ tenantId: ctx.tenant.id, type: 'mfa.link_approved', actor: link.userId, subject: link.userId, correlationId: ctx.correlationId,
      data: { method: 'email_code', flowId: link.data.flowId, ip: ctx.ip } });
    return message(reply, ctx, 200, 'title.signin_approved', textFor(ctx).t('signin_link.approved'));
  });

  /** The browser that asked: the link proves the sign-in step, exactly as the code would (the login flow's own step). */
  async function complete(reply: FastifyReply, ctx: RequestContext, token: string, link: AccountToken) {
    let result: { flow: Flow; step: FlowStep };
    try {
      result = await flowService.submit(ctx, await flowService.load(ctx, 'login', String(link.data.flowId ?? '')), { method: 'email_code', action: 'link', link: token });
    } catch (caught) {
      if (!(caught instanceof FlowError)) throw caught;
      return message(reply, ctx, 400, 'title.link_invalid', textFor(ctx).t('link.invalid'));
    }
    const { flow: next, step } = result;
    if (step.status >= 400) {
      const refusal = step.ui.messages[0] ?? step.ui.nodes.flatMap((node) => node.messages)[0];
      return message(reply, ctx, step.status, 'title.link_invalid', refusal?.text ?? textFor(ctx).t('link.invalid'));
    }
    const b = base(ctx.tenant.id);
    if (!step.session) return reply.redirect(`${b}/login?flow=${next.id}`, 303);
    reply.header('Set-Cookie', [contexts.setSessionCookie(ctx.tenant.id, step.session.token, step.session.expiresAt, ctx.now),
      sessionCookie({ name: LINK_BINDING_COOKIE, value: '', path: contexts.cookiePath(ctx.tenant.id), secure: ctx.deps.publicUrl.startsWith('https:'), maxAgeSeconds: 0 })]);
    const interaction = next.interactionUid ? `?interaction=${next.interactionUid}` : '';
    if (step.enrolmentRequired) return reply.redirect(`${b}/security${interaction}`, 303);
    if (next.interactionUid) return reply.redirect(`${pages.basePath}/${ctx.tenant.id}/interaction/${next.interactionUid}`, 303);
    if (next.data.returnTo === 'security') return reply.redirect(`${b}/security`, 303);
    return reply.redirect(`${b}/settings`, 303);
  }
}
