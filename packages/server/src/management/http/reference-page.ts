import { escapeHtml, renderPage } from '../../experience/html.js';
import type { OpenApiDocument } from './openapi.js';

interface Operation {
  summary: string;
  'x-permission': string;
  parameters: { name: string; in: string; description?: string }[];
  requestBody?: { content: { 'application/json': { schema: { $ref: string } } } };
  responses: Record<string, { description: string }>;
}

/**
 * A readable reference of the management API, rendered on the server from the OpenAPI document
 * (no script, so the strict Content-Security-Policy holds). Machines read /api/v1/openapi.json.
 */
export function renderReferencePage(document: OpenApiDocument, basePath: string): string {
  const schemas = document.components.schemas as Record<string, unknown>;
  const sections = document.tags.map((tag) => {
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, Operation & { tags: string[] }>)
        .filter(([, op]) => op.tags.includes(tag.name))
        .map(([method, op]) => renderOperation(method, path, op, schemas)));
    return `<section id="${escapeHtml(tag.name)}"><h2>${escapeHtml(tag.name)}</h2><p>${escapeHtml(tag.description)}</p>${operations.join('\n')}</section>`;
  });
  const toc = document.tags.map((tag) => `<li><a href="#${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</a></li>`).join('');
  return renderPage({
    title: document.info.title,
    basePath,
    body: `<h1>${escapeHtml(document.info.title)}</h1>
<p>${escapeHtml(document.info.description)}</p>
<p>Machine-readable: <a href="${escapeHtml(basePath)}/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.1). Errors are RFC 9457 problem documents; lists take <code>limit</code> and <code>cursor</code>; changes take <code>If-Match</code>.</p>
<ul>${toc}</ul>
${sections.join('\n')}`,
  });
}

function renderOperation(method: string, path: string, op: Operation, schemas: Record<string, unknown>): string {
  const params = op.parameters.map((p) => `<li><code>${escapeHtml(p.name)}</code> (${escapeHtml(p.in)})${p.description ? ` — ${escapeHtml(p.description)}` : ''}</li>`).join('');
  const ref = op.requestBody?.content['application/json'].schema.$ref.split('/').at(-1);
  const body = ref ? `<details><summary>Request body: ${escapeHtml(ref)}</summary><pre>${escapeHtml(JSON.stringify(schemas[ref], null, 2))}</pre></details>` : '';
  const responses = Object.entries(op.responses).map(([status, r]) => `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description)}</li>`).join('');
  return `<article><h3><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h3>
<p>${escapeHtml(op.summary)} — needs <code>${escapeHtml(op['x-permission'])}</code></p>
${params ? `<ul>${params}</ul>` : ''}${body}<ul>${responses}</ul></article>`;
}
