import type { FlowUi, Message, Node } from '../identity/flows/flow-ui.js';
import { escapeHtml, renderPage } from './html.js';
import type { PageText } from './pages.js';

export interface FlowPageModel {
  basePath: string;
  /** The request's language: the page chrome's words and `<html lang>` (the flow's own text was written in it). */
  text: PageText;
  title: string;
  intro?: string;
  ui: FlowUi;
  action: string;
  csrf: string;
  /** Links under the form: "Forgot password?", "Create account"… */
  links?: { href: string; text: string }[];
  /** A sign-out button (settings), posting its own CSRF token. */
  signOut?: { action: string; csrf: string };
}

const GROUP_TITLES = { password: 'section.password', email: 'section.email', delete: 'section.delete' } as const;

/** A group's heading and button: the flow's own (`ui.groups`), else the settings section's `section.<group>`. */
function groupLabels(text: PageText, ui: FlowUi, group: string): { title: string; submitLabel: string } {
  const own = ui.groups?.[group];
  if (own) return own;
  const title = Object.hasOwn(GROUP_TITLES, group) ? text.t(GROUP_TITLES[group as keyof typeof GROUP_TITLES]) : group;
  return { title, submitLabel: Object.hasOwn(GROUP_TITLES, group) ? title : text.t('button.save') };
}

function messageHtml(message: Message, id?: string): string {
  const role = message.type === 'error' ? ' role="alert"' : ' role="status"';
  return `<p class="${message.type}"${id ? ` id="${escapeHtml(id)}"` : ''}${role}>${escapeHtml(message.text)}</p>`;
}

/** One field: label, input with the autocomplete token, and its errors tied to it (WCAG 3.3.1, 1.3.1). */
function nodeHtml(text: PageText, node: Node, autofocus: boolean): string {
  const id = `f-${node.group ? `${node.group}-` : ''}${node.name}`;
  if (node.type === 'image') return `<p><img id="${id}" src="${escapeHtml(node.value ?? '')}" alt="${escapeHtml(node.label)}"></p>`;
  if (node.type === 'display') {
    return `<p><span class="muted">${escapeHtml(node.label)}</span><br><code id="${id}" class="display">${escapeHtml(node.value ?? '')}</code></p>`;
  }
  if (node.type === 'webauthn') {
    // The page's passkey script reads the options and puts the authenticator's answer in this field.
    return `<input type="hidden" id="${id}" name="${escapeHtml(node.name)}" value="" data-webauthn="${escapeHtml(node.value ?? '')}">`;
  }
  if (node.type === 'checkbox') {
    return `<label class="checkbox" for="${id}"><input type="checkbox" id="${id}" name="${escapeHtml(node.name)}" value="on"${node.value === 'on' ? ' checked' : ''}> ${escapeHtml(node.label)}</label>`;
  }
  if (node.type === 'hidden') {
    const autocomplete = node.autocomplete ? ` autocomplete="${escapeHtml(node.autocomplete)}"` : '';
    return `<input type="hidden" name="${escapeHtml(node.name)}" value="${escapeHtml(node.value ?? '')}"${autocomplete}>`;
  }
  const errorId = `${id}-error`;
  const describedBy = [node.messages.length ? errorId : '', node.strength ? `${id}-strength` : ''].filter(Boolean).join(' ');
  const type = node.type === 'code' ? 'text' : node.type;
  const attributes = [
    `type="${type}"`, `id="${id}"`, `name="${escapeHtml(node.name)}"`,
    node.autocomplete ? `autocomplete="${escapeHtml(node.autocomplete)}"` : '',
    node.type === 'code' ? 'inputmode="numeric" pattern="[0-9 ]*"' : '',
    node.type === 'text' || node.type === 'email' ? 'autocapitalize="none" spellcheck="false"' : '',
    node.value !== undefined && node.type !== 'password' ? `value="${escapeHtml(node.value)}"` : '',
    node.required ? 'required' : '',
    node.strength ? 'data-strength' : '',
    node.messages.length ? 'aria-invalid="true"' : '',
    describedBy ? `aria-describedby="${describedBy}"` : '',
    autofocus ? 'autofocus' : '',
  ].filter(Boolean).join(' ');
  return `<label for="${id}">${escapeHtml(node.label)}${node.required ? '' : ` <span class="muted">${escapeHtml(text.t('label.optional'))}</span>`}</label>
<input ${attributes}>
${node.messages.map((m, i) => messageHtml(m, i === 0 ? errorId : undefined)).join('')}${node.strength ? `<p class="muted strength" id="${id}-strength" aria-live="polite"></p>` : ''}`;
}

function formHtml(model: FlowPageModel, nodes: Node[], submitLabel: string, group?: string): string {
  const typed = nodes.filter((n) => ['text', 'email', 'password', 'code'].includes(n.type));
  const focus = typed.find((n) => n.messages.length) ?? typed[0];
  return `<form method="post" action="${escapeHtml(model.action)}" novalidate>
<input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
${group ? `<input type="hidden" name="method" value="${escapeHtml(group)}">` : ''}
${nodes.map((node) => nodeHtml(model.text, node, node === focus && !group)).join('\n')}
<button type="submit"${group === 'delete' ? ' class="danger"' : ''}>${escapeHtml(submitLabel)}</button>
</form>`;
}

/** Draws a flow's form as server-rendered HTML that works without JavaScript. */
export function renderFlowPage(model: FlowPageModel): string {
  const { ui, text } = model;
  // Ungrouped nodes are the main form; each group is a section with its own form (settings, other ways to sign in).
  const groups = [...new Set(ui.nodes.map((n) => n.group).filter((g): g is string => Boolean(g)))];
  const main = ui.nodes.filter((n) => !n.group);
  const forms = [
    main.length ? formHtml(model, main, ui.submitLabel) : '',
    ...groups.map((group) => {
      const labels = groupLabels(text, ui, group);
      return `<section data-group="${escapeHtml(group)}"><h2>${escapeHtml(labels.title)}</h2>
${formHtml(model, ui.nodes.filter((n) => n.group === group), labels.submitLabel, group)}</section>`;
    }),
  ].filter(Boolean).join('\n');
  const passkeyScript = ui.nodes.some((n) => n.type === 'webauthn')
    ? `<script type="module" src="${escapeHtml(model.basePath)}/assets/passkeys.js"></script>` : '';
  const strength = ui.nodes.some((n) => n.strength) ? `<script type="module" src="${escapeHtml(model.basePath)}/assets/password-strength.js"></script>` : '';
  return renderPage({
    basePath: model.basePath,
    lang: text.locale,
    title: model.title,
    body: `<h1>${escapeHtml(model.title)}</h1>
${model.intro ? `<p class="muted">${escapeHtml(model.intro)}</p>` : ''}
${ui.messages.map((m) => messageHtml(m)).join('\n')}
${forms}
${model.signOut ? `<form method="post" action="${escapeHtml(model.signOut.action)}">
<input type="hidden" name="csrf" value="${escapeHtml(model.signOut.csrf)}">
<button type="submit" class="secondary">${escapeHtml(text.t('button.sign_out'))}</button>
</form>` : ''}
${model.links?.length ? `<p class="links">${model.links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.text)}</a>`).join(' · ')}</p>` : ''}
${strength}${passkeyScript}`,
  });
}
