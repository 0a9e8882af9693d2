import { createFlowRepository, newFlowId } from '../../db/repositories/flows.js';
import type { RequestContext } from '../account-deps.js';
import { FlowUiSchema, storableUi } from './flow-ui.js';
import { FlowError, type Flow, type FlowDefinition, type FlowInput, type FlowStep, type FlowType } from './flow-types.js';
import { textFor } from './flow-text.js';
import { loginFlow } from './login-flow.js';
import { recoveryFlow } from './recovery-flow.js';
import { registrationFlow } from './registration-flow.js';
import { securityFlow } from './security-flow.js';
import { settingsFlow } from './settings-flow.js';
import { verificationFlow } from './verification-flow.js';

export const FLOW_DEFINITIONS: Record<FlowType, FlowDefinition> = {
  login: loginFlow,
  registration: registrationFlow,
  verification: verificationFlow,
  recovery: recoveryFlow,
  settings: settingsFlow,
  security: securityFlow,
};

type StartOptions = { interactionUid?: string | undefined; init?: Record<string, unknown> };

/** The flow's definition; a FlowError (401) when the flow needs a signed-in user and there is none. */
function definitionFor(ctx: RequestContext, type: FlowType): FlowDefinition {
  const definition = FLOW_DEFINITIONS[type];
  if (definition.requiresSession && !ctx.session) throw new FlowError(401, textFor(ctx).error('session.required'));
  return definition;
}

/** A new flow, in memory: its id, first state and form. */
async function begin(ctx: RequestContext, type: FlowType, options: StartOptions): Promise<Flow> {
  const definition = definitionFor(ctx, type);
  const started = await definition.start(ctx, options.init);
  return {
    id: newFlowId(), tenantId: ctx.tenant.id, type, state: started.state, userId: started.userId ?? null,
    interactionUid: options.interactionUid ?? null, ui: started.ui, data: started.data ?? {},
    expiresAt: new Date(ctx.now.getTime() + definition.lifetimeSeconds(ctx) * 1000),
  };
}

/** Runs a submission and stores the flow as it leaves it: inserted when it was never stored, else updated. */
async function advance(ctx: RequestContext, flow: Flow, input: FlowInput, stored: boolean): Promise<{ flow: Flow; step: FlowStep }> {
  const definition = definitionFor(ctx, flow.type);
  if (flow.state === 'success') return { flow, step: { state: flow.state, status: 409, ui: { ...flow.ui, messages: [textFor(ctx).error('flow.completed')] } } };
  const step = await definition.submit(ctx, flow, input);
  const next: Flow = { ...flow, state: step.state, ui: step.ui, data: step.data ?? flow.data, userId: step.userId ?? flow.userId };
  // A deleted account takes its flows with it (foreign key); there is nothing left to store then.
  if (!step.accountDeleted) {
    const flows = createFlowRepository(ctx.deps.db);
    await (stored ? flows.update(storable(next)) : flows.insert(storable(next)));
  }
  return { flow: next, step };
}

/** The flow as its row holds it: the form without its sensitive values (storableUi). */
const storable = (flow: Flow) => ({ ...flow, ui: storableUi(flow.ui) });

/**
 * Starts, loads and advances stored flows. The same calls serve the server-rendered pages and
 * the JSON API; a flow is stored after every step, so it can be resumed until it expires.
 */
export const flowService = {
  async start(ctx: RequestContext, type: FlowType, options: StartOptions = {}): Promise<Flow> {
    const flow = await begin(ctx, type, options);
    await createFlowRepository(ctx.deps.db).insert(storable(flow));
    return flow;
  },

  /**
   * Starts a flow and submits `input` to it at once (the JSON API's one-request form). The flow
   * is stored once, as the submission leaves it: nothing refers to a flow's row by its id
   * (emailed codes carry the id inside their hashed secret), so it need not exist before.
   */
  async startAndSubmit(ctx: RequestContext, type: FlowType, input: FlowInput): Promise<{ flow: Flow; step: FlowStep }> {
    return advance(ctx, await begin(ctx, type, {}), input, false);
  },

  /** The flow, when it exists, is of this type and has not expired; else a FlowError (410 for expired). */
  async load(ctx: RequestContext, type: FlowType, id: string): Promise<Flow> {
    const stored = await createFlowRepository(ctx.deps.db).find(ctx.tenant.id, id);
    if (!stored || stored.type !== type) throw new FlowError(404, textFor(ctx).error('flow.not_found'));
    if (stored.expiresAt <= ctx.now) throw new FlowError(410, textFor(ctx).error('flow.expired'));
    const ui = FlowUiSchema.parse(stored.ui);
    return { ...stored, type, ui };
  },

  submit(ctx: RequestContext, flow: Flow, input: FlowInput): Promise<{ flow: Flow; step: FlowStep }> {
    return advance(ctx, flow, input, true);
  },
};

/** The JSON shape of a flow (snake_case, like the rest of the protocol surface). */
export function flowToJson(flow: Flow, action: string) {
  return {
    id: flow.id,
    type: flow.type,
    state: flow.state,
    expires_at: flow.expiresAt.toISOString(),
    ui: { action, method: 'POST', ...flow.ui },
  };
}
