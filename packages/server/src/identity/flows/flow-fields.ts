import { z } from 'zod';
import type { AccountSettings } from '../../config/account-settings.js';
import { MAX_IDENTIFIER_LENGTH, type IdentifierCheck } from '../identifiers.js';
import { MAX_PASSWORD_LENGTH } from '../password-sign-in.js';
import { field, type Message, type Node } from './flow-ui.js';
import type { FlowText, PageKey } from './flow-text.js';
import type { FlowInput } from './flow-types.js';

/** Form fields shared by several flows, labelled in the request's language, with the autocomplete tokens password managers honour. */
export const emailField = (text: FlowText, label: PageKey = 'label.email') => field('email', 'email', text.t(label), { autocomplete: 'email' });
export const newPasswordField = (text: FlowText, name = 'password', label: PageKey = 'label.password') =>
  field(name, 'password', text.t(label), { autocomplete: 'new-password', strength: true });
export const codeField = (text: FlowText) => field('code', 'code', text.t('label.code'), { autocomplete: 'one-time-code' });

export function identifierField(settings: AccountSettings, text: FlowText): Node {
  const ids = settings.signInIdentifiers;
  const label = ids.length === 2 ? 'label.username_or_email' : ids[0] === 'email' ? 'label.email' : 'label.username';
  return field('identifier', 'text', text.t(label), { autocomplete: ids.length === 1 && ids[0] === 'email' ? 'email' : 'username' });
}

/** A refused username or email (identifiers.ts) in the request's language. */
export const identifierError = (text: FlowText, refused: Extract<IdentifierCheck, { ok: false }>): Message =>
  text.refusal(refused, { max: MAX_IDENTIFIER_LENGTH });

/** The error for a field over its byte limit. */
export const tooLongError = (text: FlowText, kind: string, max: number): Message =>
  (kind === 'password' ? text.error('password.too_long.bytes', { max }) : text.error('field.too_long', { max }));

/**
 * Reads the named string fields; returns per-field errors for missing and over-long values
 * (identifiers > 1 KiB, passwords > 4 KiB are refused before any work is done).
 */
export function readFields<K extends string>(input: FlowInput, spec: Record<K, { kind: 'identifier' | 'password' | 'text' | 'code'; required: boolean }>,
  text: FlowText): { values: Record<K, string>; errors: Partial<Record<K, Message>> } {
  const values = {} as Record<K, string>;
  const errors: Partial<Record<K, Message>> = {};
  for (const [name, rule] of Object.entries(spec) as [K, { kind: string; required: boolean }][]) {
    const raw = input[name] ?? '';
    const value = rule.kind === 'password' ? raw : raw.trim();
    values[name] = value;
    const max = rule.kind === 'password' ? MAX_PASSWORD_LENGTH : rule.kind === 'code' ? 12 : MAX_IDENTIFIER_LENGTH;
    if (rule.required && value === '') errors[name] = text.error('field.required');
    else if (Buffer.byteLength(value, 'utf8') > max) errors[name] = tooLongError(text, rule.kind, max);
  }
  return { values, errors };
}

export const hasErrors = (errors: Partial<Record<string, Message>>) => Object.keys(errors).length > 0;

/**
 * A submitted form or JSON flow body at the boundary: at most 20 string fields of at most 8 KiB,
 * none with a NUL character (U+0000 cannot be stored in PostgreSQL text, and no identifier,
 * password or code has one).
 */
export const SubmittedFieldsSchema = z.record(z.string().max(64),
  z.string().max(8192).refine((value) => !value.includes('\u0000'), 'must not contain a NUL character (U+0000)'))
  .refine((body) => Object.keys(body).length <= 20, 'too many fields');
