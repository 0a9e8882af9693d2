import { FACTOR_KINDS, type FactorKind } from '../../config/mfa-settings.js';
import { createUserRepository, type User } from '../../db/repositories/users.js';
import { createAccountSessionRepository } from '../../db/repositories/account-sessions.js';
import type { RequestContext } from '../account-deps.js';
import { combineAmr } from '../factors/assurance.js';
import type { FactorManager } from '../factors/factor-manager.js';
import { MANAGERS, strategyFor } from '../factors/registry.js';
import { startSession } from '../sessions.js';
import { textFor } from './flow-text.js';
import { withFeedback, type FlowUi, type Message } from './flow-ui.js';
import { FlowError, type FlowDefinition, type FlowStep } from './flow-types.js';

/** The managers of the factors this tenant allows, in the policy's order. */
const managersFor = (ctx: RequestContext): FactorManager[] =>
  ctx.settings.mfa.factors.map((kind) => MANAGERS.find((manager) => manager.method === kind)).filter((m): m is FactorManager => Boolean(m));

/** Every allowed factor's section, one after another. */
async function securityUi(ctx: RequestContext, user: User, messages: Message[] = []): Promise<{ ui: FlowUi; data: Record<string, unknown> }> {
  const ui: FlowUi = { nodes: [], messages, submitLabel: textFor(ctx).t('button.save'), groups: {} };
  let data: Record<string, unknown> = {};
  for (const manager of managersFor(ctx)) {
    const section = await manager.section(ctx, user);
    ui.nodes.push(...section.nodes);
    Object.assign(ui.groups!, section.groups);
    data = { ...data, ...section.data };
  }
  return { ui, data };
}

/** `totp`, or `passkey:{id}` for one item of a factor: the factor and the item. */
function parseMethod(method: string | undefined): { kind: FactorKind; item?: string } | undefined {
  const [kind, item] = (method ?? '').split(':', 2);
  const known = FACTOR_KINDS.find((k) => k === kind);
  return known && { kind: known, ...(item ? { item } : {}) };
}

/**
 * The security page of the signed-in user: their factors, and adding or removing each (the
 * managers in identity/factors). Every change needs a recent sign-in (mfa.reauthenticationMaxAge,
 * ASVS V3.7.1) and is refused otherwise, with an audit event; removing the last strong factor
 * while MFA is required is refused. Proving a new factor at enrolment upgrades the session.
 */
export const securityFlow: FlowDefinition = {
  type: 'security',
  requiresSession: true,
  lifetimeSeconds: () => 3600,
  async start(ctx) {
    const user = await sessionUser(ctx);
    const { ui, data } = await securityUi(ctx, user, intro(ctx));
    return { state: 'show_form', ui, data, userId: user.id };
  },
  async submit(ctx, flow, input): Promise<FlowStep> {
    const user = await sessionUser(ctx);
    const text = textFor(ctx);
    if (flow.userId !== user.id) throw new FlowError(403, text.error('flow.not_yours'));
    const target = parseMethod(input.method);
    const manager = target && managersFor(ctx).find((m) => m.method === target.kind);
    const action = input.action ?? '';
    if (!target || !manager) return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { messages: [text.error('settings.unknown_method')] }) };
    const audit = { tenantId: ctx.tenant.id, actor: user.id, subject: user.id, correlationId: ctx.correlationId };

    if (manager.changes(action)) {
      const age = (ctx.now.getTime() - ctx.session!.authenticatedAt.getTime()) / 1000;
      if (age > ctx.settings.mfa.reauthenticationMaxAge) {
        await ctx.deps.audit.write({ ...audit, type: 'mfa.enrolment_refused', outcome: 'failure', data: { method: target.kind, action, reason: 'stale_sign_in',
          signedInSecondsAgo: Math.round(age), ip: ctx.ip } });
        return { state: flow.state, status: 403, ui: withFeedback(flow.ui, { messages: [text.error('mfa.reauthenticate')] }) };
      }
      if (action === 'remove' && ctx.settings.mfa.policy === 'required' && strategyFor(target.kind)?.strong && (await strongCount(ctx, user)) <= 1) {
        await ctx.deps.audit.write({ ...audit, type: 'mfa.enrolment_refused', outcome: 'failure', data: { method: target.kind, action, reason: 'last_strong_factor' } });
        return { state: flow.state, status: 409, ui: withFeedback(flow.ui, { messages: [text.error('mfa.last_strong_factor')] }) };
      }
    }

    const result = await manager.act(ctx, user, action, { ...input, ...(target.item ? { item: target.item } : {}) }, flow.data);
    const fresh = await securityUi(ctx, user, result.messages);
    // The acted-on section shows its next step (a QR code and code field, new recovery codes) in place of its list.
    const ui = result.nodes ? replaceSection(fresh.ui, target.kind, result.nodes, result.groups ?? {}) : fresh.ui;
    const withErrors = result.fieldErrors ? markErrors(ui, target.kind, result.fieldErrors) : ui;
    const data = { ...flow.data, ...fresh.data, ...result.data };
    if (!result.amr?.length) return { state: 'show_form', status: result.status, ui: withErrors, data };
    // Enrolment proved the factor: a new session (new id, ASVS V3.2.1) carries the stronger amr.
    const session = await startSession(ctx, user, combineAmr(ctx.session!.amr, result.amr));
    await createAccountSessionRepository(ctx.deps.db).revoke(ctx.session!.id, ctx.now);
    return { state: 'show_form', status: result.status, ui: withErrors, data, session };
  },
};

function intro(ctx: RequestContext): Message[] {
  return ctx.settings.mfa.policy === 'required' ? [textFor(ctx).info('mfa.policy_required')] : [];
}

async function strongCount(ctx: RequestContext, user: User): Promise<number> {
  let count = 0;
  for (const manager of managersFor(ctx)) if (strategyFor(manager.method)?.strong) count += await manager.enrolledCount(ctx, user);
  return count;
}

const inSection = (group: string | undefined, kind: string) => group === kind || Boolean(group?.startsWith(`${kind}:`));

function replaceSection(ui: FlowUi, kind: string, nodes: FlowUi['nodes'], groups: NonNullable<FlowUi['groups']>): FlowUi {
  const at = ui.nodes.findIndex((node) => inSection(node.group, kind));
  const rest = ui.nodes.filter((node) => !inSection(node.group, kind));
  const index = at < 0 ? rest.length : at;
  return { ...ui, nodes: [...rest.slice(0, index), ...nodes, ...rest.slice(index)], groups: { ...ui.groups, ...groups } };
}

function markErrors(ui: FlowUi, kind: string, errors: Record<string, Message>): FlowUi {
  return { ...ui, nodes: ui.nodes.map((node) => (inSection(node.group, kind) && errors[node.name] ? { ...node, messages: [errors[node.name]!] } : node)) };
}

async function sessionUser(ctx: RequestContext): Promise<User> {
  const user = ctx.session && await createUserRepository(ctx.deps.db).find(ctx.tenant.id, ctx.session.userId);
  if (!user) throw new FlowError(401, textFor(ctx).error('session.required.settings'));
  return user;
}


