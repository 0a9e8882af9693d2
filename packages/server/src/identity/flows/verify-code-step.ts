import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import { consumeFlowCode, verifyEmail } from '../email-verification.js';
import { hasErrors, readFields } from './flow-fields.js';
import { textFor } from './flow-text.js';
import { withFeedback } from './flow-ui.js';
import type { Flow, FlowInput, FlowStep } from './flow-types.js';

/**
 * The 6-digit code from a verification mail, typed into the flow that asked for it (registration
 * or verification). Verifies the address, or answers with the field error and the flow's data
 * (which counts wrong codes).
 */
export async function verifyEmailByCode(ctx: RequestContext, flow: Flow, input: FlowInput):
  Promise<{ ok: true; user: User; data: Record<string, unknown> } | { ok: false; step: FlowStep }> {
  const text = textFor(ctx);
  const { values, errors } = readFields(input, { code: { kind: 'code', required: true } }, text);
  if (hasErrors(errors)) return { ok: false, step: { state: flow.state, status: 400, ui: withFeedback(flow.ui, { fieldErrors: errors }) } };
  const data = { ...flow.data };
  const result = await consumeFlowCode(ctx, { id: flow.id, data }, 'verify_code', values.code);
  if (!result.ok || !(await verifyEmail(ctx, result))) {
    const code = result.ok ? 'link.invalid' : result.code;
    return { ok: false, step: { state: flow.state, status: 400, data, ui: withFeedback(flow.ui, { fieldErrors: { code: text.error(code) } }) } };
  }
  return { ok: true, user: result.user, data };
}
