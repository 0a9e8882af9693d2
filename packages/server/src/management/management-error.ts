import type { z } from 'zod';
import type { Problem } from '../http/problem.js';

/**
 * An error of the management API (and its CLI twin): status, a stable `domain.snake_case` code,
 * and, for validation and conflicts, the fields at fault as JSON pointers (`/redirectUris/0`).
 */
export class ManagementError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: { path: string; message: string }[],
    /** Response headers that belong to this error, e.g. `WWW-Authenticate` (RFC 6750 §3). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ManagementError';
  }

  toProblem(): Problem {
    return { status: this.status, code: this.code, title: TITLES[this.status] ?? 'Request refused', detail: this.message, ...(this.errors ? { errors: this.errors } : {}) };
  }
}

const TITLES: Record<number, string> = {
  400: 'Invalid request', 401: 'Authentication required', 403: 'Forbidden', 404: 'Not found', 409: 'Conflict',
  412: 'Precondition failed', 428: 'Precondition required',
};

/** RFC 6901 JSON pointer of a zod issue path. */
export function jsonPointer(path: readonly PropertyKey[]): string {
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function validationError(error: z.ZodError, where: 'body' | 'query' | 'path'): ManagementError {
  const errors = error.issues.map((issue) => ({ path: jsonPointer(issue.path), message: issue.message }));
  const first = errors[0];
  return new ManagementError(400, 'request.validation_failed',
    `The ${where} is invalid${first ? `: ${first.path || '(root)'} ${first.message}` : ''}`, errors);
}

export const notFound = (noun: string, key: string) =>
  new ManagementError(404, `${noun.replaceAll(' ', '_')}.not_found`, `No ${noun} "${key}"`);

/** 409 naming the field whose value is taken. */
export const conflict = (noun: string, field: string, value: string) =>
  new ManagementError(409, `${noun.replaceAll(' ', '_')}.conflict`, `${/^[aeiou]/i.test(noun) ? 'An' : 'A'} ${noun} with ${field} "${value}" already exists`,
    [{ path: `/${field}`, message: 'is already taken' }]);

/** 400 for a field that passed its schema but fails a rule that needs the database (a missing reference…). */
export const invalidField = (path: string, message: string) =>
  new ManagementError(400, 'request.validation_failed', `${path} ${message}`, [{ path, message }]);
