import type { AccountSettings } from '../../config/account-settings.js';
import { MAX_IDENTIFIER_LENGTH } from '../identifiers.js';
import { MAX_PASSWORD_LENGTH } from '../password-sign-in.js';
import { error, field, type Message, type Node } from './flow-ui.js';
import type { FlowInput } from './flow-types.js';

/** Form fields shared by several flows, with the autocomplete tokens password managers honour. */
export const emailField = (label = 'Email') => field('email', 'email', label, { autocomplete: 'email' });
export const newPasswordField = (name = 'password', label = 'Password') =>
  field(name, 'password', label, { autocomplete: 'new-password', strength: true });
export const codeField = () => field('code', 'code', 'Code from the email', { autocomplete: 'one-time-code' });

export function identifierField(settings: AccountSettings): Node {
  const ids = settings.signInIdentifiers;
  const label = ids.length === 2 ? 'Username or email' : ids[0] === 'email' ? 'Email' : 'Username';
  return field('identifier', 'text', label, { autocomplete: ids.length === 1 && ids[0] === 'email' ? 'email' : 'username' });
}

/**
 * Reads the named string fields; returns per-field errors for missing and over-long values
 * (identifiers > 1 KiB, passwords > 4 KiB are refused before any work is done).
 */
export function readFields<K extends string>(input: FlowInput, spec: Record<K, { kind: 'identifier' | 'password' | 'text' | 'code'; required: boolean }>):
  { values: Record<K, string>; errors: Partial<Record<K, Message>> } {
  const values = {} as Record<K, string>;
  const errors: Partial<Record<K, Message>> = {};
  for (const [name, rule] of Object.entries(spec) as [K, { kind: string; required: boolean }][]) {
    const raw = input[name] ?? '';
    const value = rule.kind === 'password' ? raw : raw.trim();
    values[name] = value;
    const max = rule.kind === 'password' ? MAX_PASSWORD_LENGTH : rule.kind === 'code' ? 12 : MAX_IDENTIFIER_LENGTH;
    if (rule.required && value === '') errors[name] = error('field.required', 'This field is required.');
    else if (Buffer.byteLength(value, 'utf8') > max) {
      errors[name] = rule.kind === 'password'
        ? error('password.too_long', `Passwords are limited to 4 KiB (${max} bytes).`)
        : error('field.too_long', `This is too long: at most ${max} bytes.`);
    }
  }
  return { values, errors };
}

export const hasErrors = (errors: Partial<Record<string, Message>>) => Object.keys(errors).length > 0;
