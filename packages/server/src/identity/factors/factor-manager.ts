import type { FactorKind } from '../../config/mfa-settings.js';
import type { User } from '../../db/repositories/users.js';
import type { RequestContext } from '../account-deps.js';
import type { FlowInput } from '../flows/flow-types.js';
import type { FlowUi, Message, Node } from '../flows/flow-ui.js';

/**
 * How one factor is managed on the security page (identity/flows/security-flow.ts): the nodes of
 * its section (what is enrolled, with a remove button each, and how to add one), and the
 * answer to an action submitted from it (`method` = the factor, `action` = what to do).
 */
export interface FactorManager {
  method: FactorKind;
  /** The section's nodes; each node's `group` starts with the method (`totp`, `passkey:{id}` for one item). */
  section(ctx: RequestContext, user: User): Promise<{ nodes: Node[]; groups: NonNullable<FlowUi['groups']>; data?: Record<string, unknown> }>;
  /** Whether the user has this factor now (for "the last strong factor" rule). */
  enrolledCount(ctx: RequestContext, user: User): Promise<number>;
  /**
   * Runs an action. `changes: true` actions (adding, removing, regenerating) need a recent
   * sign-in, checked before this is called. The result replaces the section's nodes when it has
   * `nodes` (a QR code and a code field after "add"; the new recovery codes, shown once).
   */
  act(ctx: RequestContext, user: User, action: string, input: FlowInput, data: Record<string, unknown>): Promise<ManageResult>;
  /**
   * Which actions change the account (and so need a fresh sign-in). `remove` of a strong
   * factor (FactorStrategy.strong) is refused when it is the user's last and MFA is required.
   */
  changes(action: string): boolean;
}

export interface ManageResult {
  status: number;
  messages: Message[];
  /** Field errors, by node name. */
  fieldErrors?: Record<string, Message>;
  /** Replacement nodes for this factor's section (the next step of an enrolment). */
  nodes?: Node[];
  groups?: NonNullable<FlowUi['groups']>;
  /** What to keep in the flow for the next action (a pending enrolment's id, a WebAuthn challenge). */
  data?: Record<string, unknown>;
  /** Enrolling proved possession of the factor: the session's `amr` gains these (a new session is issued). */
  amr?: string[];
}
