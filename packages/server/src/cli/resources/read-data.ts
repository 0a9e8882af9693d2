import { readFile } from 'node:fs/promises';
import { UsageError } from '../cli-error.js';

/**
 * The `--data` of create and update: inline JSON, `@file`, or `-` for standard input (use `-` or
 * a file for anything secret, such as a password: argv is visible in `ps` and shell history).
 */
export async function readData(value: string | undefined): Promise<unknown> {
  if (value === undefined) throw new UsageError('--data is required: inline JSON, @file or - (standard input)');
  const text = await readSource(value);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--data ${value === '-' || value.startsWith('@') ? value : '(inline)'}: not valid JSON (${(error as Error).message})`);
  }
}

async function readSource(value: string): Promise<string> {
  if (value === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  if (!value.startsWith('@')) return value;
  try {
    return await readFile(value.slice(1), 'utf8');
  } catch (error) {
    throw new UsageError(`--data ${value}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/** An entity tag as `etag` printed it (`"…"`); a bare value is quoted for convenience, `*` and `W/"…"` pass as given. */
export function normalizeIfMatch(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '*' || trimmed.startsWith('"') || trimmed.startsWith('W/') || trimmed.includes(',') ? trimmed : `"${trimmed}"`;
}
