import type { FactorKind, MfaSettings } from '../../config/mfa-settings.js';
import { createFactorRepository, type StoredFactorKind } from '../../db/repositories/factors.js';
import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import type { Flow, FlowInput } from '../flows/flow-types.js';
import type { FlowUi, Message, Node } from '../flows/flow-ui.js';

/** How a sign-in step is proven: the password, or one of the factors. */
export type SignInMethod = 'password' | FactorKind;

/** Which step of a sign-in a strategy is asked about. */
export type SignInStep = 'first' | 'second';

/** What a strategy made of a submission. */
export type FactorOutcome =
  /** The submission is not for this method (its `method` names another): the next strategy is asked. */
  | { kind: 'not_mine' }
  /** Proven: who signed in, and the `amr` values this proof adds (RFC 8176). */
  /** `messages`: what the user should read after signing in (few recovery codes left). */
  | { kind: 'verified'; user: User; amr: string[]; factorId?: string; messages?: Message[] }
  /** Refused, with the message to show (on `field` when it belongs to one). The strategy has audited and counted it. */
  | { kind: 'refused'; status: number; message: Message; field?: string; retryAfterSeconds?: number }
  /** Went on without proving anything yet: the flow moves to `state` with this form (a code was sent…). */
  | { kind: 'continue'; state: string; ui: FlowUi; data?: Record<string, unknown> };

/** The form nodes a method adds to a sign-in step, and what the flow must remember for it (a WebAuthn challenge). */
export interface MethodForm {
  nodes: Node[];
  data?: Record<string, unknown>;
}

/**
 * One sign-in method as a strategy (after Ory Kratos): it offers its form nodes for a step, and
 * answers a submission — `not_mine` unless the submission's `method` is its own. The login flow
 * asks each allowed strategy in turn (identity/factors/registry.ts); nothing here knows HTTP.
 *
 * A strategy audits its own failures (`mfa.failed` with the method) and counts them toward the
 * brute-force limits of the account (ASVS V2.2.1), so every method is limited alike.
 */
export interface FactorStrategy {
  method: SignInMethod;
  /** May start a sign-in without a password (passkey, emailed code); only when the tenant allows it (mfa.passwordless). */
  firstFactor: boolean;
  /** May be the second step of a sign-in. */
  secondFactor: boolean;
  /** Counts as a strong factor: the last one cannot be removed while MFA is required (TOTP, passkey, SMS). */
  strong: boolean;
  /** The kind of its `user_factors` rows, for a factor enrolled there (TOTP, passkey, SMS). */
  storedKind?: StoredFactorKind;
  /** Whether `user` can use this method now (enrolled and confirmed; a verified email for emailed codes). */
  isEnrolled(ctx: RequestContext, user: User): Promise<boolean>;
  /** Form nodes for this method in a step; `user` is known in the second step (and undefined in the first). */
  form(ctx: RequestContext, step: SignInStep, user: User | undefined): Promise<MethodForm>;
  /** Handles a submission of the flow in `step`; the user is known in the second step. */
  submit(ctx: RequestContext, step: SignInStep, flow: Flow, input: FlowInput, user: User | undefined): Promise<FactorOutcome>;
}

/** The strategies allowed for a step under a policy: the password first, then factors in the policy's order. */
export function allowedMethods(mfa: MfaSettings, step: SignInStep): SignInMethod[] {
  if (step === 'first') return ['password', ...mfa.passwordless.filter((kind) => mfa.factors.includes(kind))];
  return mfa.policy === 'off' ? [] : mfa.factors;
}

/**
 * The kinds of factor the user has confirmed: those loaded with the user at sign-in when there
 * (`users.findForSignIn`), else one query for all kinds.
 */
export async function confirmedKindsOf(ctx: RequestContext, user: User): Promise<ReadonlySet<string>> {
  if (user.confirmedFactorKinds) return new Set(user.confirmedFactorKinds);
  return createFactorRepository(ctx.deps.db).confirmedKinds(ctx.tenant.id, user.id);
}

/** `isEnrolled` of a factor kept in `user_factors` (TOTP, passkey, SMS): a confirmed row of its kind. */
export function storedFactorEnrolled(kind: StoredFactorKind): FactorStrategy['isEnrolled'] {
  return async (ctx, user) => (await confirmedKindsOf(ctx, user)).has(kind);
}
