import { z } from 'zod';

/**
 * One user as an import file describes it, before identifiers are normalized. Every format
 * (JSON lines, CSV, Auth0, Firebase) is mapped to this shape and validated by the same schema,
 * so the rules and the messages are the same whatever the source.
 */

/** Longest password hash accepted: the longest known format (PHC strings) is far shorter. */
export const MAX_PASSWORD_HASH_LENGTH = 1024;
const NAME_MAX = 200;
const ROLE_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const noControlCharacters = (value: string) => !/[\u0000-\u001f\u007f]/.test(value);

export const IMPORT_COLUMNS = ['username', 'email', 'email_verified', 'name', 'password_hash', 'roles', 'disabled'] as const;

/** Plaintext is refused outright: hashing 10k passwords at import would be slow, and files with passwords leak. */
export const PLAINTEXT_REFUSED = 'plaintext passwords are refused: hash them first (bcrypt, argon2, PBKDF2…) or set them after the import with `tessera users set-password`';

const RoleGrantSchema = z.strictObject({
  api: z.string().min(1, 'must not be empty').max(2048, 'must be at most 2048 characters'),
  roles: z.array(z.string().regex(ROLE_PATTERN, 'must be 1–128 letters, digits, ".", "_", ":" or "-"')).max(100),
});

/** `null` and an absent field mean the same: "not given" (an import never clears a field). */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? undefined);

export const ImportRowSchema = z.strictObject({
  username: optional(z.string()),
  email: optional(z.string()),
  email_verified: optional(z.boolean()),
  name: optional(z.string().min(1, 'must not be empty').max(NAME_MAX, `must be at most ${NAME_MAX} characters`)
    .refine(noControlCharacters, 'must not contain control characters')),
  password_hash: optional(z.string().min(1, 'must not be empty').max(MAX_PASSWORD_HASH_LENGTH, `must be at most ${MAX_PASSWORD_HASH_LENGTH} characters`)),
  roles: optional(z.array(RoleGrantSchema).max(100)),
  disabled: optional(z.boolean()),
});

/** Every field optional: a field not given is left alone on update. */
export type ImportRow = Partial<z.infer<typeof ImportRowSchema>>;

/** A row as read from the file, or why it could not be read; `ref` is where it is ("line 7"). */
export type ParsedRow = { ref: string; row: ImportRow } | { ref: string; error: string };

/** A whole file that cannot be read (not JSON, a CSV header with unknown columns…). */
export class ImportFileError extends Error {
  readonly code = 'user_import.invalid_file';

  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

/**
 * Validates one mapped object: `password` (plaintext) gets its own message, other problems
 * are listed as `field: message`.
 */
export function toParsedRow(ref: string, value: unknown): ParsedRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ref, error: 'expected a JSON object' };
  const { password, ...rest } = value as Record<string, unknown>;
  if (password !== undefined && password !== null) return { ref, error: PLAINTEXT_REFUSED };
  const parsed = ImportRowSchema.safeParse(rest);
  if (parsed.success) return { ref, row: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    return `${issue.path.map(String).join('.') || 'user'}: ${issue.message}`;
  });
  return { ref, error: problems.join('; ') };
}
