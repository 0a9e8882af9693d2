import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/database.js';
import { escapeHtml, renderPage } from '../experience/html.js';
import { sendProblem } from '../http/problem.js';
import { createOutboxRepository, type OutboxMail } from './outbox-repository.js';

/**
 * The outbox pages only: inline styles for the mail in the iframe (mail HTML is all inline
 * styles), images from anywhere a mail may link them; still no script anywhere, and the
 * iframe is sandboxed without allow-scripts or allow-same-origin.
 */
const OUTBOX_CSP = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Whether to serve /dev/outbox: only when mail goes to the outbox, and never in production. */
export function isOutboxEnabled(options: { mailMode: 'smtp' | 'outbox'; production: boolean }): boolean {
  return options.mailMode === 'outbox' && !options.production;
}

/**
 * `GET /dev/outbox` (newest first) and `GET /dev/outbox/:id` (one mail: HTML in a sandboxed
 * iframe, the text part, its links). A development tool: the outbox holds working links and
 * codes, so nothing is registered unless `enabled` (see isOutboxEnabled; docs/mail.md).
 */
export async function registerOutboxRoutes(app: FastifyInstance, options: { db: Db; enabled: boolean; basePath?: string }): Promise<void> {
  if (!options.enabled) return;
  const outbox = createOutboxRepository(options.db);
  const basePath = options.basePath ?? '';

  app.get('/dev/outbox', async (_request, reply) => {
    const mails = await outbox.list({ limit: 200 });
    return sendPage(reply, renderPage({ basePath, title: 'Development outbox', body: listBody(mails, basePath) }));
  });

  app.get<{ Params: { id: string } }>('/dev/outbox/:id', async (request, reply) => {
    const mail = await outbox.find(request.params.id);
    if (!mail) return sendProblem(reply, { status: 404, code: 'mail.not_found', title: 'No such mail in the outbox' });
    return sendPage(reply, renderPage({ basePath, title: mail.subject, body: mailBody(mail, basePath) }));
  });
}

function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply
    .header('Content-Security-Policy', OUTBOX_CSP)
    .header('Cache-Control', 'no-store')
    .header('X-Robots-Tag', 'noindex')
    .type('text/html; charset=utf-8')
    .send(html);
}

const NOTICE = '<p class="muted">Mail written here was not delivered: set TESSERA_SMTP_URL to send it. This page exists only outside production.</p>';

function listBody(mails: OutboxMail[], basePath: string): string {
  if (mails.length === 0) return `<h1>Development outbox</h1>\n${NOTICE}\n<p>No mail yet.</p>`;
  const items = mails.map((mail) => `<li><a href="${escapeHtml(`${basePath}/dev/outbox/${mail.id}`)}">${escapeHtml(mail.subject)}</a><br>
<span class="muted">to ${escapeHtml(mail.recipient)} · ${escapeHtml(mail.template)} · ${escapeHtml(mail.tenantId ?? '-')} · <time datetime="${mail.createdAt.toISOString()}">${escapeHtml(mail.createdAt.toISOString())}</time></span></li>`);
  return `<h1>Development outbox</h1>\n${NOTICE}\n<ol reversed>\n${items.join('\n')}\n</ol>`;
}

function mailBody(mail: OutboxMail, basePath: string): string {
  const links = [...new Set([...mail.textBody.matchAll(/https?:\/\/[^\s<>"]+/g)].map((match) => match[0]))];
  return `<p><a href="${escapeHtml(`${basePath}/dev/outbox`)}">← Outbox</a></p>
<h1>${escapeHtml(mail.subject)}</h1>
<p class="muted">to ${escapeHtml(mail.recipient)} · ${escapeHtml(mail.template)} · tenant ${escapeHtml(mail.tenantId ?? '-')} · ${escapeHtml(mail.createdAt.toISOString())}</p>
${links.length ? `<h2>Links</h2>\n<ul>${links.map((link) => `<li><a href="${escapeHtml(link)}"><code>${escapeHtml(link)}</code></a></li>`).join('')}</ul>` : ''}
<h2>HTML</h2>
<iframe title="HTML part of the mail" sandbox="" referrerpolicy="no-referrer" width="100%" height="560" srcdoc="${escapeHtml(mail.htmlBody)}"></iframe>
<h2>Text</h2>
<pre>${escapeHtml(mail.textBody)}</pre>`;
}
