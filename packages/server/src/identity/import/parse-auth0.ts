import { z } from 'zod';
import { ImportFileError, toParsedRow, type ParsedRow } from './import-record.js';
import { parseJsonLines } from './parse-json-lines.js';
import { auth0Pbkdf2ToPasslib } from './password-hashes.js';

/**
 * Auth0 users: the bulk-import file (a JSON array) or an export job's JSON lines. Auth0 fields
 * we do not keep (user_id, identities, app_metadata, picture…) are ignored. Password hashes:
 * `password_hash` (bcrypt) and `custom_password_hash` for the salted, slow algorithms whose hash
 * carries its own parameters (bcrypt, argon2, PBKDF2 as a PHC string). Auth0's fast digests
 * (md4, md5, sha1, sha256, sha512, hmac, ldap) and scrypt with separate parameters are refused:
 * the user is skipped with the reason, rather than imported with a password they cannot use.
 * Schema: https://auth0.com/docs/manage-users/user-migration/bulk-user-import-database-schema-and-examples
 */

const Auth0CustomHashSchema = z.object({
  algorithm: z.string(),
  hash: z.object({ value: z.string(), encoding: z.string().optional() }),
  salt: z.unknown().optional(),
  password: z.unknown().optional(),
  keylen: z.unknown().optional(),
});

const Auth0UserSchema = z.object({
  email: z.string().nullish(),
  email_verified: z.boolean().nullish(),
  username: z.string().nullish(),
  name: z.string().nullish(),
  given_name: z.string().nullish(),
  family_name: z.string().nullish(),
  nickname: z.string().nullish(),
  blocked: z.boolean().nullish(),
  password_hash: z.string().nullish(),
  custom_password_hash: Auth0CustomHashSchema.nullish(),
});

/** Algorithms whose `hash.value` is already a self-describing hash string we can keep as it is. */
const SELF_DESCRIBING = new Set(['bcrypt', 'argon2', 'pbkdf2']);

export function parseAuth0(text: string): ParsedRow[] {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('[')) return parseJsonLines(text, (value, ref) => fromAuth0User(ref, value));
  let users: unknown;
  try {
    users = JSON.parse(trimmed);
  } catch (error) {
    throw new ImportFileError(`not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(users)) throw new ImportFileError('an Auth0 bulk-import file is a JSON array of users');
  return users.map((user, index) => fromAuth0User(`user ${index + 1}`, user));
}

export function fromAuth0User(ref: string, value: unknown): ParsedRow {
  const parsed = Auth0UserSchema.safeParse(value);
  if (!parsed.success) {
    return { ref, error: parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'user'}: ${issue.message}`).join('; ') };
  }
  const user = parsed.data;
  const hash = passwordHashOf(user);
  if (typeof hash === 'object') return { ref, error: hash.error };
  const name = user.name ?? ([user.given_name, user.family_name].filter(Boolean).join(' ') || user.nickname);
  return toParsedRow(ref, {
    username: user.username, email: user.email, email_verified: user.email_verified,
    name: name || undefined, password_hash: hash, disabled: user.blocked,
  });
}

function passwordHashOf(user: z.infer<typeof Auth0UserSchema>): string | undefined | { error: string } {
  if (user.password_hash && user.custom_password_hash) return { error: 'password_hash and custom_password_hash exclude each other' };
  if (user.password_hash) return user.password_hash;
  const custom = user.custom_password_hash;
  if (!custom) return undefined;
  const algorithm = custom.algorithm.toLowerCase();
  if (!SELF_DESCRIBING.has(algorithm)) {
    return { error: `custom_password_hash algorithm "${custom.algorithm}" is not supported (bcrypt, argon2 and pbkdf2 are); the user would have to reset their password` };
  }
  if (custom.hash.encoding && custom.hash.encoding !== 'utf8') {
    return { error: `custom_password_hash: a ${algorithm} hash.value must be utf8-encoded, got "${custom.hash.encoding}"` };
  }
  if (custom.salt !== undefined || custom.password !== undefined) {
    return { error: `custom_password_hash: salt and password options are not supported with ${algorithm} (the hash string carries its own parameters)` };
  }
  return algorithm === 'pbkdf2' ? auth0Pbkdf2ToPasslib(custom.hash.value) : custom.hash.value;
}
