import { createAccountSessionRepository } from '../../db/repositories/account-sessions.js';
import { createUserRepository, type User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { assuranceNeed, combineAmr, isSatisfied, mfaFor } from '../factors/assurance.js';
import { allowedMethods, type FactorOutcome, type FactorStrategy, type SignInStep } from '../factors/factor-strategy.js';
import { hasStrongFactor, strategyFor } from '../factors/registry.js';
import { isRememberedDevice, rememberDevice } from '../factors/remembered-device.js';
import { startSession } from '../sessions.js';
import { textFor } from './flow-text.js';
import { field, withFeedback, type FlowUi, type Message, type Node } from './flow-ui.js';
import type { Flow, FlowDefinition, FlowInput, FlowStep } from './flow-types.js';

export { signInRefusal } from '../factors/password-factor.js';

/**
 * What a login flow remembers between steps (flows.data): the application and its `acr_values`
 * when it serves an OpenID Connect sign-in, the `amr` proven so far, and for a step-up the
 * session it upgrades. Strategies keep their own keys beside these (a WebAuthn challenge).
 */
export interface LoginData {
  clientId?: string;
  acrValues?: string;
  loginHint?: string;
  amr?: string[];
  /** The account session a step-up upgrades (it is replaced by a new one when the step-up succeeds). */
  upgradesSession?: string;
  [key: string]: unknown;
}

const asLoginData = (data: Record<string, unknown>): LoginData => data as LoginData;

/** The strategies of a step that the policy allows and (in the second step) the user can use; passkeys only when the client asks for phishing resistance. */
async function methodsFor(ctx: RequestContext, step: SignInStep, data: LoginData, user?: User): Promise<FactorStrategy[]> {
  const mfa = await mfaFor(ctx, data.clientId);
  const need = assuranceNeed(mfa, data.acrValues);
  const used = new Set(data.methods as string[] | undefined);
  const strategies: FactorStrategy[] = [];
  for (const method of allowedMethods(mfa, step)) {
    const strategy = strategyFor(method);
    if (!strategy || used.has(method)) continue;
    if (step === 'second' && (!strategy.secondFactor || !user || !(await strategy.isEnrolled(ctx, user)))) continue;
    if (step === 'second' && need.requestedLevel >= 3 && method !== 'passkey') continue;
    strategies.push(strategy);
  }
  return strategies;
}

/** The form of a step: each method's nodes (the password's ungrouped, the others in their groups), and what they must remember. */
async function stepForm(ctx: RequestContext, step: SignInStep, data: LoginData, user?: User): Promise<{ ui: FlowUi; data: LoginData }> {
  const text = textFor(ctx);
  const nodes: Node[] = [];
  const groups: NonNullable<FlowUi['groups']> = {};
  let next: LoginData = { ...data };
  const remember = step === 'second' && ctx.settings.mfa.rememberDeviceDays > 0;
  for (const strategy of await methodsFor(ctx, step, data, user)) {
    const form = await strategy.form(ctx, step, user);
    next = { ...next, ...form.data };
    nodes.push(...form.nodes);
    const group = form.nodes.find((node) => node.group)?.group;
    if (group) {
      groups[group] = { title: text.t(`method.${strategy.method}` as never), submitLabel: text.t(`method.${strategy.method}.submit` as never) };
      // Code factors show the box with their code field, after the "send" button.
      if (remember && strategy.method !== 'email_code' && strategy.method !== 'sms_code') {
        nodes.push({ ...field('remember_device', 'checkbox', text.t('label.remember_device', { days: ctx.settings.mfa.rememberDeviceDays }),
          { required: false }), group });
      }
    }
  }
  const messages: Message[] = step === 'second' ? [text.info('mfa.second_factor_needed')] : [];
  return { ui: { nodes, messages, submitLabel: text.t('button.sign_in'), ...(Object.keys(groups).length ? { groups } : {}) }, data: next };
}

/**
 * Sign-in as a list of steps, each proven by a strategy (identity/factors): a first factor (the
 * password, or a passkey or emailed code where the tenant allows signing in without one), then
 * a second factor when the policy, the application or its `acr_values` ask for more than the
 * first gave. Success starts an account session whose `amr` says what was proven.
 */
export const loginFlow: FlowDefinition = {
  type: 'login',
  requiresSession: false,
  lifetimeSeconds: () => 3600,
  async start(ctx, init = {}) {
    const data = asLoginData(init);
    if (data.amr?.length && typeof init.userId === 'string') {
      // A step-up, or the second step after a password given on the OpenID Connect sign-in page.
      const user = await createUserRepository(ctx.deps.db).find(ctx.tenant.id, init.userId);
      const { userId: _userId, ...rest } = data;
      const form = await stepForm(ctx, 'second', rest, user);
      return { state: 'second_factor', ui: form.ui, data: form.data, userId: user?.id ?? null };
    }
    const form = await stepForm(ctx, 'first', data);
    const ui = data.loginHint ? withFeedback(form.ui, { values: { identifier: data.loginHint } }) : form.ui;
    return { state: 'choose_method', ui, data: form.data };
  },
  async submit(ctx, flow, input): Promise<FlowStep> {
    const data = asLoginData(flow.data);
    const step: SignInStep = data.amr?.length ? 'second' : 'first';
    const user = step === 'second' && flow.userId ? await createUserRepository(ctx.deps.db).find(ctx.tenant.id, flow.userId) : undefined;
    if (step === 'second' && !user) return { state: flow.state, status: 410, ui: withFeedback(flow.ui, { messages: [textFor(ctx).error('flow.expired')] }) };
    for (const strategy of await methodsFor(ctx, step, data, user)) {
      const outcome = await strategy.submit(ctx, step, flow, input, user);
      if (outcome.kind === 'not_mine') continue;
      if (outcome.kind === 'continue') return { state: outcome.state, status: 200, ui: outcome.ui, data: { ...data, ...outcome.data } };
      if (outcome.kind === 'refused') {
        const fieldErrors = outcome.field ? { [outcome.field]: outcome.message } : undefined;
        return { state: flow.state, status: outcome.status, ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
          ui: withFeedback(flow.ui, { values: { identifier: input.identifier }, ...(fieldErrors ? { fieldErrors } : { messages: [outcome.message] }) }) };
      }
      return afterFactor(ctx, flow, data, strategy, outcome, input);
    }
    return { state: flow.state, status: 400, ui: withFeedback(flow.ui, { messages: [textFor(ctx).error('signin.unknown_method')] }) };
  },
};

/** After a proof: done when the policy and the client are satisfied; else on to a second factor, or to enrolling one. */
async function afterFactor(ctx: RequestContext, flow: Flow, data: LoginData, strategy: FactorStrategy,
  proof: Extract<FactorOutcome, { kind: 'verified' }>, input: FlowInput): Promise<FlowStep> {
  const text = textFor(ctx);
  const { user, amr: added } = proof;
  const amr = combineAmr(data.amr ?? [], added);
  const methods = [...(data.methods as string[] | undefined ?? []), strategy.method];
  const mfa = await mfaFor(ctx, data.clientId);
  const need = assuranceNeed(mfa, data.acrValues, await hasStrongFactor(ctx, mfa.factors, user));
  const remembered = !isSatisfied(need, amr) && need.policyLevel === 2 && await isRememberedDevice(ctx, user);
  const next: LoginData = { ...data, amr, methods };

  if (!isSatisfied(need, amr, remembered)) {
    const form = await stepForm(ctx, 'second', next, user);
    if (form.ui.nodes.length) return { state: 'second_factor', status: 200, userId: user.id, data: form.data, ui: form.ui };
    // Nothing to ask for: sign the user in so they can set a factor up; the application waits (experience/interaction-routes.ts).
    const session = await finishSession(ctx, user, amr, strategy, data);
    return { state: 'success', status: 200, userId: user.id, session, enrolmentRequired: true, data: next,
      ui: { nodes: [], messages: [text.info('mfa.enrolment_required')], submitLabel: '' } };
  }
  const session = await finishSession(ctx, user, amr, strategy, data);
  const device = data.amr?.length && input.remember_device === 'on' ? await rememberDevice(ctx, user) : undefined;
  return { state: 'success', status: 200, userId: user.id, session, data: next, ...(device ? { rememberDevice: device } : {}),
    ui: { nodes: [], messages: [text.success('signin.succeeded'), ...(proof.messages ?? [])], submitLabel: '' } };
}

/** A new account session with what was proven; a step-up's old session ends (a new session id on a privilege change, ASVS V3.2.1). */
async function finishSession(ctx: RequestContext, user: User, amr: string[], strategy: FactorStrategy, data: LoginData) {
  const session = await startSession(ctx, user, amr, { clientId: data.clientId ?? null, signIn: { method: strategy.method } });
  if (data.upgradesSession) await createAccountSessionRepository(ctx.deps.db).revoke(data.upgradesSession, ctx.now);
  return session;
}
