import { z } from 'zod';
import { ImportFileError, toParsedRow, type ParsedRow } from './import-record.js';
import { firebaseHashString, type FirebaseHashParams } from './password-hashes.js';

/**
 * Firebase Authentication export (`firebase auth:export users.json --format=json`):
 * `{"users":[{localId, email, emailVerified, passwordHash, salt, displayName, disabled}]}`.
 * Password hashes need the project's hash parameters (`--firebase-params FILE`); without them
 * users are imported without a password.
 */

const FirebaseUserSchema = z.object({
  localId: z.string().optional(),
  email: z.string().nullish(),
  emailVerified: z.boolean().nullish(),
  displayName: z.string().nullish(),
  passwordHash: z.string().nullish(),
  salt: z.string().nullish(),
  disabled: z.boolean().nullish(),
});

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'must be base64');
export const FirebaseHashParamsSchema = z.object({
  signerKey: Base64,
  saltSeparator: Base64,
  rounds: z.coerce.number().int().min(1).max(8),
  memCost: z.coerce.number().int().min(1).max(14),
});

export function parseFirebase(text: string, params: FirebaseHashParams | undefined): ParsedRow[] {
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (error) {
    throw new ImportFileError(`not valid JSON (${(error as Error).message})`);
  }
  const users = (file as { users?: unknown })?.users;
  if (!Array.isArray(users)) throw new ImportFileError('a Firebase export is a JSON object with a "users" array');
  return users.map((value, index) => fromFirebaseUser(`user ${index + 1}`, value, params));
}

function fromFirebaseUser(ref: string, value: unknown, params: FirebaseHashParams | undefined): ParsedRow {
  const parsed = FirebaseUserSchema.safeParse(value);
  if (!parsed.success) return { ref, error: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') };
  const user = parsed.data;
  const where = user.localId ? `${ref} (localId ${user.localId})` : ref;
  let passwordHash: string | undefined;
  if (user.passwordHash) {
    if (!params) return { ref: where, error: 'has a password hash: give the project\'s hash parameters with --firebase-params FILE' };
    if (!user.salt) return { ref: where, error: 'passwordHash without salt' };
    passwordHash = firebaseHashString({ passwordHash: user.passwordHash, salt: user.salt }, params);
  }
  return toParsedRow(where, {
    email: user.email, email_verified: user.emailVerified, name: user.displayName || undefined,
    password_hash: passwordHash, disabled: user.disabled,
  });
}

/**
 * Reads the hash parameters: JSON `{signerKey, saltSeparator, rounds, memCost}` or the block
 * `firebase auth:export` prints (`base64_signer_key: …, base64_salt_separator: …, rounds: 8, mem_cost: 14`).
 */
export function parseFirebaseParams(text: string): FirebaseHashParams {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const field = (name: string) => new RegExp(`${name}\\s*[:=]\\s*"?([^",\\s}]+)`).exec(text)?.[1];
    raw = { signerKey: field('base64_signer_key'), saltSeparator: field('base64_salt_separator'), rounds: field('rounds'), memCost: field('mem_cost') };
  }
  const parsed = FirebaseHashParamsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ImportFileError(`Firebase hash parameters: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}
