import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { DeclarativeConfigSchema, type DeclarativeConfig } from './declarative-config.js';

export interface ConfigProblem {
  /** Where in the file: `tenants[0].applications[1].redirectUris[0]`, or `` for the whole file. */
  path: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number | undefined;
}

/** A configuration file that cannot be used; `message` lists every problem, one a line. */
export class ConfigFileError extends Error {
  readonly code = 'config.invalid';
  readonly file: string;
  readonly problems: ConfigProblem[];

  constructor(file: string, problems: ConfigProblem[]) {
    super(problems.map((problem) => formatProblem(file, problem)).join('\n'));
    this.name = 'ConfigFileError';
    this.file = file;
    this.problems = problems;
  }
}

/** `FILE: tenants[0].apis[1].identifier: must be ... (line 7)` */
export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.path ? `${problem.path}: ` : '';
  const line = problem.line === undefined ? '' : ` (line ${problem.line})`;
  return `${file}: ${where}${problem.message}${line}`;
}

/** Reads, parses and validates a configuration file. Throws ConfigFileError. */
export async function loadConfigFile(file: string): Promise<DeclarativeConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigFileError(file, [{ path: '', message: `cannot read the file: ${reason}` }]);
  }
  return parseConfigText(text, file);
}

/** Parses and validates YAML (or JSON) text; `fileName` only names the source in messages. */
export function parseConfigText(text: string, fileName: string): DeclarativeConfig {
  const lineCounter = new LineCounter();
  // `uniqueKeys` (the default) reports a key given twice; YAML 1.2 core schema keeps `no` and `on` as strings.
  const document = parseDocument(text, { lineCounter, prettyErrors: false, schema: 'core' });
  if (document.errors.length > 0) {
    throw new ConfigFileError(fileName, document.errors.map((error) => ({
      path: '',
      message: `invalid YAML: ${error.message.split('\n')[0]}`,
      line: lineCounter.linePos(error.pos[0]).line,
    })));
  }
  const data: unknown = document.toJS() ?? {};
  const parsed = DeclarativeConfigSchema.safeParse(data);
  if (!parsed.success) {
    throw new ConfigFileError(fileName, parsed.error.issues.flatMap((issue) => toProblems(issue, data, document, lineCounter)));
  }
  return parsed.data;
}

function toProblems(issue: z.core.$ZodIssue, data: unknown, document: Document, lines: LineCounter): ConfigProblem[] {
  const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    // One problem per unknown key, at the key itself, so a typo is easy to find.
    return issue.keys.map((key) => ({
      path: formatPath([...path, key]),
      message: 'unknown field (check the spelling; see docs/configuration.md)',
      line: lineOf(document, lines, [...path, key]),
    }));
  }
  const message = issue.code === 'invalid_type' ? typeProblem(issue.expected, valueAt(data, path)) : issue.message;
  return [{ path: formatPath(path), message, line: lineOf(document, lines, path) }];
}

function typeProblem(expected: string, value: unknown): string {
  if (value === undefined) return 'is required';
  const found = value === null ? 'nothing (null)' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
  const wanted = ({ array: 'a list', object: 'a mapping' } as Record<string, string>)[expected] ?? `a ${expected}`;
  return `must be ${wanted}, not ${found}`;
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), data);
}

/** `['tenants', 0, 'apis', 1]` → `tenants[0].apis[1]` */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((text, key) =>
    typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key, '');
}

function lineOf(document: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}
