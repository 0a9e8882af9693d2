import { escapeHtml, renderPage } from './html.js';

export interface LoginPageModel {
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  login?: string;
  error?: string;
  recoveryUrl?: string;
  /** Shown only when the tenant allows self-registration. */
  registerUrl?: string | undefined;
}

/** Username-or-email and password, with the autocomplete hints password managers use. */
function loginPage(basePath: string, model: LoginPageModel): string {
  return renderPage({
    basePath,
    title: 'Sign in',
    body: `<h1>Sign in</h1>
<p class="muted">to continue to <strong>${escapeHtml(model.clientName)}</strong></p>
${model.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(model.error)}</p>` : ''}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  <input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
  <label for="login">Username or email</label>
  <input type="text" id="login" name="login" value="${escapeHtml(model.login ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus${model.error ? ' aria-describedby="form-error"' : ''}>
  <label for="password">Password</label>
  <input type="password" id="password" name="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p class="links">${model.recoveryUrl ? `<a href="${escapeHtml(model.recoveryUrl)}">Forgot password?</a>` : ''}${model.registerUrl ? ` · <a href="${escapeHtml(model.registerUrl)}">Create account</a>` : ''}</p>
<form method="post" action="${escapeHtml(model.abortAction)}">
  <input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
  <button type="submit" class="secondary">Cancel</button>
</form>`,
  });
}

export interface ConsentPageModel {
  action: string;
  abortAction: string;
  csrf: string;
  clientName: string;
  userName: string;
  /** What is asked, in the words of whoever defines it (OpenID Connect or the API). */
  permissions: { name: string; description: string }[];
}

function consentPage(basePath: string, model: ConsentPageModel): string {
  const items = model.permissions
    .map((p) => `<li><strong>${escapeHtml(p.description)}</strong> <span class="muted">(${escapeHtml(p.name)})</span></li>`)
    .join('\n');
  return renderPage({
    basePath,
    title: 'Allow access',
    body: `<h1>Allow ${escapeHtml(model.clientName)} access?</h1>
<p class="muted">Signed in as ${escapeHtml(model.userName)}</p>
<p>${escapeHtml(model.clientName)} asks to:</p>
<ul class="scopes">${items}</ul>
<form method="post" action="${escapeHtml(model.action)}">
  <input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
  <button type="submit">Allow</button>
</form>
<form method="post" action="${escapeHtml(model.abortAction)}">
  <input type="hidden" name="csrf" value="${escapeHtml(model.csrf)}">
  <button type="submit" class="secondary">Deny</button>
</form>`,
  });
}

function messagePage(basePath: string, title: string, message: string, link?: { href: string; text: string }): string {
  const next = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>` : '';
  return renderPage({ basePath, title, body: `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${next}` });
}

/** The sign-in pages for a server whose public URL has this path (see publicBasePath). */
export function createPages(basePath: string) {
  return {
    basePath,
    login: (model: LoginPageModel) => loginPage(basePath, model),
    consent: (model: ConsentPageModel) => consentPage(basePath, model),
    message: (title: string, message: string, link?: { href: string; text: string }) => messagePage(basePath, title, message, link),
  };
}

export type Pages = ReturnType<typeof createPages>;
