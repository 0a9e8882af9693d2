import { readFileSync } from 'node:fs';
import type { MailTemplateName } from './mail-templates.js';

const DIRECTORY = new URL('../../templates/mail/', import.meta.url);
const cache = new Map<string, string>();

/**
 * A built-in skeleton from packages/server/templates/mail: `layout` or a template, `html` or
 * `txt`. Read once per process; the files ship with the server and do not change under it.
 */
export function readTemplateFile(name: MailTemplateName | 'layout', kind: 'html' | 'txt'): string {
  const file = `${name}.${kind}`;
  let text = cache.get(file);
  if (text === undefined) {
    text = readFileSync(new URL(file, DIRECTORY), 'utf8').replace(/\r\n/g, '\n').replace(/\n+$/, '');
    cache.set(file, text);
  }
  return text;
}
