import type { QuotaName, RequestContext } from '../account-deps.js';
import { checkEmail } from '../identifiers.js';
import { hasErrors, identifierError, readFields } from './flow-fields.js';
import { textFor } from './flow-text.js';
import { withFeedback } from './flow-ui.js';
import type { Flow, FlowInput, FlowStep } from './flow-types.js';

/** The `email` field of a "send me a mail" form, normalized — or the step that shows what is wrong. */
export function readEmailField(ctx: RequestContext, flow: Flow, input: FlowInput):
  { ok: true; email: string; values: Record<string, string> } | { ok: false; step: FlowStep } {
  const text = textFor(ctx);
  const { values, errors } = readFields(input, { email: { kind: 'identifier', required: true } }, text);
  const email = errors.email ? undefined : checkEmail(values.email);
  if (email && !email.ok) errors.email = identifierError(text, email);
  if (hasErrors(errors) || !email?.ok) return { ok: false, step: { state: flow.state, status: 400, ui: withFeedback(flow.ui, { values, fieldErrors: errors }) } };
  return { ok: true, email: email.value, values };
}

/**
 * Counts the request against each quota (per IP, per email…); the first refusal becomes a 429
 * step with Retry-After and the given message, keeping what the user typed.
 */
export async function consumeQuotas(ctx: RequestContext, flow: Flow, quotas: readonly (readonly [QuotaName, string])[],
  refusal: { code: Parameters<ReturnType<typeof textFor>['error']>[0]; values: Record<string, string | undefined> }): Promise<FlowStep | undefined> {
  for (const [quota, key] of quotas) {
    const allowed = await ctx.deps.limits.consume(ctx.tenant.id, quota, ctx.settings.limits, key);
    if (!allowed.allowed) {
      return { state: flow.state, status: 429, retryAfterSeconds: allowed.retryAfterSeconds,
        ui: withFeedback(flow.ui, { values: refusal.values, messages: [textFor(ctx).error(refusal.code)] }) };
    }
  }
  return undefined;
}
