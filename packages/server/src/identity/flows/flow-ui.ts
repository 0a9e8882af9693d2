import { z } from 'zod';

/**
 * The form a flow shows, as data (after Ory Kratos's UI nodes): the server-rendered pages draw
 * it as HTML, and JSON clients (native apps, custom UIs) draw it themselves.
 */
export const MessageSchema = z.object({
  /** Stable id, `domain.snake_case`: clients that translate themselves key on it. */
  code: z.string(),
  type: z.enum(['error', 'info', 'success']),
  /** The text in the language negotiated for the request that produced it (`pages` catalog, docs/i18n.md). */
  text: z.string(),
});
export type Message = z.infer<typeof MessageSchema>;

export const NodeSchema = z.object({
  name: z.string(),
  /**
   * `checkbox` submits `on` when ticked; `webauthn` carries WebAuthn options (JSON) in `value` for
   * the page's script, which submits the authenticator's answer in the field of the same name;
   * `image` is a picture (`value`: a data: URI, `label` its alternative text); `display` is text to
   * show, not to submit (a secret to copy, recovery codes).
   */
  type: z.enum(['text', 'email', 'password', 'hidden', 'code', 'checkbox', 'webauthn', 'image', 'display']),
  label: z.string(),
  required: z.boolean(),
  /** HTML autocomplete token password managers honour: username, email, current-password, new-password, one-time-code. */
  autocomplete: z.string().optional(),
  value: z.string().optional(),
  /** Nodes of one group form one HTML form; its submission carries `method` = the group (settings: password, email, delete). */
  group: z.string().optional(),
  /** Show live strength feedback (zxcvbn-ts) for a new password. */
  strength: z.boolean().optional(),
  /** A secret shown once (a TOTP secret, recovery codes): sent in this response, never stored with the flow. */
  sensitive: z.boolean().optional(),
  messages: z.array(MessageSchema),
});
export type Node = z.infer<typeof NodeSchema>;

export const FlowUiSchema = z.object({
  nodes: z.array(NodeSchema),
  messages: z.array(MessageSchema),
  submitLabel: z.string(),
  /** Headings and buttons of the node groups (one form each), in the request's language. */
  groups: z.record(z.string(), z.object({ title: z.string(), submitLabel: z.string() })).optional(),
});
export type FlowUi = z.infer<typeof FlowUiSchema>;

type NodeOptions = Partial<Omit<Node, 'name' | 'type' | 'label' | 'messages'>>;
export const field = (name: string, type: Node['type'], label: string, options: NodeOptions = {}): Node =>
  ({ name, type, label, required: options.required ?? true, messages: [], ...options });

/** A copy of the UI with these values filled in (never a password) and these messages attached. */
export function withFeedback(ui: FlowUi, feedback: { values?: Record<string, string | undefined>; fieldErrors?: Partial<Record<string, Message>>;
  messages?: Message[] }): FlowUi {
  return {
    ...ui,
    messages: feedback.messages ?? [],
    nodes: ui.nodes.map((node) => {
      const value = node.type === 'password' || node.type === 'code' ? undefined
        : node.type === 'text' || node.type === 'email' || node.type === 'hidden' ? feedback.values?.[node.name] ?? node.value : node.value;
      const message = feedback.fieldErrors?.[node.name];
      const { value: _old, ...rest } = node;
      return { ...rest, ...(value === undefined ? {} : { value }), messages: message ? [message] : [] };
    }),
  };
}

/** The UI as stored with the flow: sensitive values left out (they exist only in the response that showed them). */
export function storableUi(ui: FlowUi): FlowUi {
  if (!ui.nodes.some((node) => node.sensitive)) return ui;
  return { ...ui, nodes: ui.nodes.map(({ value, ...node }) => (node.sensitive ? node : { ...node, ...(value === undefined ? {} : { value }) })) };
}
